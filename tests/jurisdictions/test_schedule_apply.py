"""
Applying a schedule: the diff, all rows or none, history, versions and flagged
cases. The plan's side is jurisdictions.schedules.services; a schedule is
applied through the cases' service (optouts.services.schedule_apply), which
also flags the open cases in the same transaction.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jurisdictions.models import Jurisdiction, PlanStatus, ScheduleVersion
from jurisdictions.schedules import services
from jurisdictions.services import jurisdiction_plan_update
from optouts import services as case_services
from optouts.models import CaseEvent, Stage
from optouts.services import optout_create
from tests.factories import OptOutRequestFactory, UserFactory

from .test_schedule_support import D, csv_bytes, directory, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    return directory()


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True, first_name="Ada", last_name="Admin")


@pytest.fixture
def plan(places, admin_user):
    """Los Angeles and Santa Clara are scheduled; San Francisco is activated; Arlington has no date."""
    jurisdiction_plan_update(
        jurisdiction_id=places["la"].pk,
        reason="Earlier plan",
        scheduled_activation=D(2010, 9, 28),
        plan_status=PlanStatus.SCHEDULED,
    )
    jurisdiction_plan_update(
        jurisdiction_id=places["santa_clara"].pk,
        reason="Earlier plan",
        scheduled_activation=D(2010, 10, 1),
        plan_status=PlanStatus.SCHEDULED,
    )
    jurisdiction_plan_update(
        jurisdiction_id=places["sf"].pk,
        reason="Earlier plan",
        scheduled_activation=D(2010, 6, 8),
        actual_activation=D(2010, 6, 8),
        plan_status=PlanStatus.ACTIVATED,
    )
    return places


def upload(content, user, name="ice-2010-09.csv") -> ScheduleVersion:
    return services.schedule_upload(file_name=name, content=content, user=user)


def checked(content, user, django_capture_on_commit_callbacks, name="ice-2010-09.csv"):
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(content, user, name)
    version.refresh_from_db()
    assert version.status == ScheduleVersion.Status.CHECKED
    return version


SCHEDULE = [
    ["CA", "Los Angeles County", "06037", "8/27/2010", ""],  # changed, earlier
    ["California", "Santa Clara", "", "October 1, 2010", ""],  # unchanged
    ["CA", "San Francisco", "", "2010-06-08", "2010-06-08"],  # unchanged
    ["VA", "Arlington County", "51013", "9/21/2010", ""],  # new
]


def test_the_preview_sorts_rows_into_new_changed_and_unchanged(
    plan, admin_user, django_capture_on_commit_callbacks
):
    before = snapshot()
    version = checked(csv_bytes(SCHEDULE, bom=True), admin_user, django_capture_on_commit_callbacks)
    assert snapshot() == before  # checking writes nothing to the plan
    report = version.report
    assert report["counts"] == {"held": 0, "new": 1, "changed": 1, "unchanged": 2, "errors": 0}
    assert (version.new_count, version.changed_count, version.unchanged_count) == (1, 1, 2)
    [new] = report["new"]
    assert new["jurisdiction"] == "Arlington County, VA" and new["new_scheduled"] == "2010-09-21"
    [changed] = report["changed"]
    assert changed["row"] == 2
    assert (changed["old_scheduled"], changed["new_scheduled"]) == ("2010-09-28", "2010-08-27")
    assert changed["earlier"] is True
    assert version.rows_checked == version.rows_total == 4


def test_applying_changes_the_plan_keeps_the_version_and_writes_history(
    plan, admin_user, django_capture_on_commit_callbacks
):
    content = csv_bytes(SCHEDULE)
    version = checked(content, admin_user, django_capture_on_commit_callbacks)
    history_before = Jurisdiction.history.count()
    case_services.schedule_apply(version_id=version.pk, user=admin_user)

    la, arlington = (Jurisdiction.objects.get(pk=plan[k].pk) for k in ("la", "arlington"))
    assert la.scheduled_activation == D(2010, 8, 27)
    assert arlington.scheduled_activation == D(2010, 9, 21)
    assert arlington.plan_status == PlanStatus.SCHEDULED
    # Only the two jurisdictions that changed get a history row.
    assert Jurisdiction.history.count() == history_before + 2
    record = la.history.order_by("-history_id").first()
    assert record.history_user == admin_user
    assert record.history_change_reason == (
        f"Deployment schedule “ice-2010-09.csv” (no. {version.pk}), row 2"
    )
    assert record.scheduled_activation == D(2010, 8, 27)

    version.refresh_from_db()
    import hashlib

    assert version.status == ScheduleVersion.Status.APPLIED
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.applied_by == admin_user and version.applied_at is not None
    assert (version.new_count, version.changed_count, version.unchanged_count) == (1, 1, 2)


def test_the_jurisdiction_page_shows_which_schedule_changed_its_date(
    client, plan, admin_user, django_capture_on_commit_callbacks
):
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    body = client.get(reverse("jurisdictions:detail", args=[plan["la"].pk])).content.decode()
    assert f"Deployment schedule “ice-2010-09.csv” (no. {version.pk}), row 2" in body
    assert "Ada Admin" not in body  # the public sees no user's name
    assert "Sept. 28, 2010 → Aug. 27, 2010" in body or "2010-09-28" in body or "Sep" in body


def test_applying_twice_changes_nothing_more(plan, admin_user, django_capture_on_commit_callbacks):
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    after = snapshot()
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    assert snapshot() == after


def test_a_schedule_with_a_row_in_error_cannot_be_applied(
    plan, admin_user, django_capture_on_commit_callbacks
):
    rows = [*SCHEDULE, ["CA", "Gotham", "", "6/8/2010", ""]]
    version = checked(csv_bytes(rows), admin_user, django_capture_on_commit_callbacks)
    assert version.error_count == 1
    before = snapshot()
    with pytest.raises(ValidationError, match="rows in error, so none of it can be applied"):
        case_services.schedule_apply(version_id=version.pk, user=admin_user)
    assert snapshot() == before


def test_a_failure_half_way_leaves_the_plan_as_it_was(
    plan, admin_user, django_capture_on_commit_callbacks, monkeypatch
):
    OptOutRequestFactory(jurisdiction=plan["la"], scheduled_activation_at_filing=D(2010, 9, 28))
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    before = snapshot()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(case_services.schedules, "events_add_many", broken)
    with pytest.raises(RuntimeError):
        case_services.schedule_apply(
            version_id=version.pk, user=admin_user, confirmed=[plan["la"].pk]
        )
    assert snapshot() == before
    version.refresh_from_db()
    assert version.status == ScheduleVersion.Status.CHECKED


def test_a_plan_changed_since_the_preview_is_not_applied_blindly(
    plan, admin_user, django_capture_on_commit_callbacks
):
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    # Meanwhile an opt-out resolution moves Santa Clara's date.
    jurisdiction_plan_update(
        jurisdiction_id=plan["santa_clara"].pk,
        reason="Date adjusted",
        scheduled_activation=D(2011, 1, 4),
    )
    before = snapshot()
    with pytest.raises(services.PlanChangedError, match="changed since this preview"):
        case_services.schedule_apply(version_id=version.pk, user=admin_user)
    assert snapshot() == before
    # Checked again, the preview tells the truth and can be applied.
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_recheck(version_id=version.pk)
    version.refresh_from_db()
    assert version.report["counts"]["changed"] == 2
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    assert Jurisdiction.objects.get(pk=plan["santa_clara"].pk).scheduled_activation == D(
        2010, 10, 1
    )


def test_open_cases_whose_date_moved_are_flagged_on_their_timeline(
    plan, admin_user, django_capture_on_commit_callbacks
):
    la = Jurisdiction.objects.get(pk=plan["la"].pk)
    open_case = optout_create(
        jurisdiction=la, user=None, requesting_official="Sheriff Baca", requesting_body="sheriff"
    )
    closed_case = OptOutRequestFactory(
        jurisdiction=la,
        stage=Stage.WITHDRAWN,
        scheduled_activation_at_filing=D(2010, 9, 28),
        closed_on=D(2010, 8, 1),
    )
    unmoved_case = optout_create(
        jurisdiction=plan["santa_clara"],
        user=None,
        requesting_official="County Counsel",
        requesting_body="county_counsel",
    )
    assert open_case.scheduled_activation_at_filing == D(2010, 9, 28)
    version_before = open_case.version
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    # The row moves an open request's date: held back, naming the request, until ticked.
    [held] = version.report["held"]
    assert held["jurisdiction_id"] == la.pk
    assert [c["id"] for c in held["holds"][0]["cases"]] == [open_case.pk]
    assert f"request no. {open_case.pk}" in held["holds"][0]["message"]
    assert case_services.schedule_cases_to_flag(report=version.report) == 0
    case_services.schedule_apply(version_id=version.pk, user=admin_user, confirmed=[la.pk])

    version.refresh_from_db()
    assert version.cases_flagged == 1
    [event] = CaseEvent.objects.filter(request=open_case, kind=CaseEvent.Kind.SCHEDULE)
    assert event.is_public and event.actor == admin_user
    assert "ice-2010-09.csv" in event.summary
    assert "EARLIER: Sep 28, 2010 → Aug 27, 2010" in event.summary
    assert not CaseEvent.objects.filter(request=closed_case, kind=CaseEvent.Kind.SCHEDULE).exists()
    assert not CaseEvent.objects.filter(request=unmoved_case, kind=CaseEvent.Kind.SCHEDULE).exists()

    open_case.refresh_from_db()
    assert open_case.version == version_before + 1
    assert open_case.activation_date_moved and open_case.activation_date_moved_earlier
    closed_case.refresh_from_db()
    assert not closed_case.activation_date_moved
    unmoved_case.refresh_from_db()
    assert not unmoved_case.activation_date_moved


def test_the_case_page_says_the_date_moved_earlier(
    client, plan, admin_user, django_capture_on_commit_callbacks
):
    case = optout_create(
        jurisdiction=Jurisdiction.objects.get(pk=plan["la"].pk),
        user=None,
        requesting_official="Sheriff Baca",
        requesting_body="sheriff",
    )
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    case_services.schedule_apply(version_id=version.pk, user=admin_user, confirmed=[plan["la"].pk])
    client.force_login(admin_user)  # a draft is seen by its jurisdiction and admins only
    body = client.get(case.get_absolute_url()).content.decode()
    assert "The scheduled activation date moved earlier since the notice was filed" in body
    assert "EARLIER: Sep 28, 2010 → Aug 27, 2010" in body


@pytest.mark.parametrize(
    "filed, new, moved, earlier",
    [
        (D(2010, 9, 28), D(2010, 8, 27), True, True),
        (D(2010, 9, 28), D(2010, 11, 2), True, False),
        (D(2010, 9, 28), D(2010, 9, 28), False, False),
        (None, D(2010, 9, 28), False, False),
    ],
    ids=["earlier", "later", "moved-back", "no-date-at-filing"],
)
def test_the_case_flags_follow_the_jurisdictions_date(places, filed, new, moved, earlier):
    case = OptOutRequestFactory(jurisdiction=places["la"], scheduled_activation_at_filing=filed)
    jurisdiction_plan_update(
        jurisdiction_id=places["la"].pk, reason="test", scheduled_activation=new
    )
    case.refresh_from_db()
    assert case.activation_date_moved is moved
    assert case.activation_date_moved_earlier is earlier


def test_a_new_date_for_a_jurisdiction_with_an_open_case_is_recorded_on_it(
    plan, admin_user, django_capture_on_commit_callbacks
):
    case = optout_create(
        jurisdiction=plan["arlington"],
        user=None,
        requesting_official="County Board",
        requesting_body="board_of_supervisors",
    )
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    event = CaseEvent.objects.get(request=case, kind=CaseEvent.Kind.SCHEDULE)
    assert "set the scheduled activation date: none → Sep 21, 2010" in event.summary


def test_an_actual_activation_date_activates_the_jurisdiction(
    plan, admin_user, django_capture_on_commit_callbacks
):
    rows = [["CA", "Los Angeles", "", "8/27/2010", "8/27/2010"]]
    version = checked(csv_bytes(rows), admin_user, django_capture_on_commit_callbacks)
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    la = Jurisdiction.objects.get(pk=plan["la"].pk)
    assert la.actual_activation == D(2010, 8, 27)
    assert la.plan_status == PlanStatus.ACTIVATED


def test_jurisdictions_not_in_the_file_keep_their_dates(
    plan, admin_user, django_capture_on_commit_callbacks
):
    rows = [["VA", "Arlington", "", "9/21/2010", ""]]
    version = checked(csv_bytes(rows), admin_user, django_capture_on_commit_callbacks)
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    assert Jurisdiction.objects.get(pk=plan["la"].pk).scheduled_activation == D(2010, 9, 28)


def test_an_upload_that_is_not_a_spreadsheet_keeps_nothing(places, admin_user):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        upload(b"%PDF-1.4 a letter", admin_user, name="letter.pdf")
    assert "“letter.pdf” is not a spreadsheet" in info.value.message_dict["file"][0]
    assert snapshot() == before
    assert not ScheduleVersion.objects.exists()


def test_discarding_an_upload_forgets_it_but_an_applied_one_is_kept(
    plan, admin_user, django_capture_on_commit_callbacks
):
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    services.schedule_discard(version_id=version.pk)
    assert not ScheduleVersion.objects.filter(pk=version.pk).exists()
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    with pytest.raises(ValidationError, match="kept for the record"):
        services.schedule_discard(version_id=version.pk)


def test_the_same_file_again_says_it_was_applied_and_writes_nothing(
    plan, admin_user, django_capture_on_commit_callbacks
):
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    case_services.schedule_apply(version_id=version.pk, user=admin_user)
    before = snapshot()
    with pytest.raises(
        ValidationError, match=f"already applied on .* as schedule no. {version.pk}"
    ):
        upload(csv_bytes(SCHEDULE), admin_user)
    assert snapshot() == before and ScheduleVersion.objects.count() == 1


def test_a_large_schedule_applies_in_few_queries(
    admin_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """
    The whole country in batches: one UPDATE per distinct date (40 here) and history
    inserted in bulk (SQLite caps a batch at 999 parameters, about 55 rows), never a
    statement per row.
    """
    from jurisdictions.services import directory_load_census

    directory_load_census()
    rows = []
    for i, j in enumerate(Jurisdiction.objects.exclude(fips="").select_related("state")[:3200]):
        day = datetime.date(2010, 10, 1) + datetime.timedelta(days=7 * (i % 40))
        rows.append([j.state.postal_code, j.name, j.fips, day.isoformat(), ""])
    version = checked(csv_bytes(rows), admin_user, django_capture_on_commit_callbacks)
    assert version.report["counts"]["new"] == 3200
    # Plus two per 500 rows: the open requests and resolutions the rows touch.
    with django_assert_max_num_queries(40 + 3200 // 50 + 25 + 2 * 7):
        case_services.schedule_apply(version_id=version.pk, user=admin_user)
    assert Jurisdiction.objects.filter(scheduled_activation__isnull=False).count() == 3200


def test_three_hundred_open_cases_are_flagged_in_few_queries_with_their_history(
    plan, admin_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """Each case's version moves on and keeps a history row, in batches, never a query per case."""
    from optouts.models import OptOutRequest

    la, arlington = plan["la"], plan["arlington"]
    OptOutRequest.objects.bulk_create(
        OptOutRequest(
            jurisdiction=la if i % 2 else arlington,
            requesting_official=f"Official {i}",
            requesting_body="sheriff",
        )
        for i in range(300)
    )
    version = checked(csv_bytes(SCHEDULE), admin_user, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(60):
        case_services.schedule_apply(version_id=version.pk, user=admin_user, confirmed=[la.pk])
    version.refresh_from_db()
    assert version.cases_flagged == 300 and version.report["cases_flagged"] == 300
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.SCHEDULE).count() == 300
    assert set(OptOutRequest.objects.values_list("version", flat=True)) == {2}
    assert (
        OptOutRequest.history.filter(
            history_change_reason=f"Deployment schedule “ice-2010-09.csv” (no. {version.pk})",
            history_user=admin_user,
        ).count()
        == 300
    )
