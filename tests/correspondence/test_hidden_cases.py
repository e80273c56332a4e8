"""
A case hidden from a user (another jurisdiction's draft) answers exactly as
a case that does not exist, on every endpoint that names a case or one of
its letters: the status code says nothing about what exists. A 403 is only
for a case the user may see but not act on.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from correspondence import letters
from correspondence.models import LetterTemplate
from tests.factories import UserFactory, case_with_notice_sent

pytestmark = pytest.mark.django_db

NO_SUCH_ID = 987654


def _case_endpoints(case_pk: int) -> list[tuple[str, str, str, dict]]:
    template = LetterTemplate.objects.filter(is_active=True).first()
    return [
        (
            "new letter",
            "post",
            reverse("correspondence:letter_create", args=[case_pk]),
            {"template": template.pk},
        ),
        (
            "new correspondence (form)",
            "get",
            reverse("correspondence:correspondence_create", args=[case_pk]),
            {},
        ),
        (
            "new correspondence (save)",
            "post",
            reverse("correspondence:correspondence_create", args=[case_pk]),
            {
                "direction": "in",
                "method": "letter",
                "occurred_on": timezone.localdate().isoformat(),
                "sender": "ICE",
                "recipient": "Sheriff",
                "summary": "A reply.",
                "is_public": "on",
            },
        ),
        ("snooze (form)", "get", reverse("reminders:snooze", args=[case_pk]), {}),
        (
            "snooze (save)",
            "post",
            reverse("reminders:snooze", args=[case_pk]),
            {"snooze-until": "2030-01-01"},
        ),
        ("export", "get", reverse("correspondence:export_create", args=[case_pk]), {"kind": "zip"}),
    ]


def _letter_endpoints(letter_pk: int) -> list[tuple[str, str, str, dict]]:
    return [
        ("letter", "get", reverse("correspondence:letter", args=[letter_pk]), {}),
        ("letter PDF", "get", reverse("correspondence:letter_pdf", args=[letter_pk]), {}),
        ("edit", "post", reverse("correspondence:letter_edit", args=[letter_pk]), {"subject": "x"}),
        ("preview", "post", reverse("correspondence:letter_preview", args=[letter_pk]), {}),
        ("send", "post", reverse("correspondence:letter_send", args=[letter_pk]), {}),
        ("confirm", "get", reverse("correspondence:letter_send_confirm", args=[letter_pk]), {}),
        ("delete", "post", reverse("correspondence:letter_delete", args=[letter_pk]), {}),
        ("email", "post", reverse("correspondence:letter_email", args=[letter_pk]), {}),
    ]


def _statuses(client, endpoints) -> dict[str, int]:
    return {
        name: getattr(client, method)(url, data).status_code
        for name, method, url, data in endpoints
    }


@pytest.mark.parametrize("who", ["outsider", "signed in", "anonymous"])
def test_a_hidden_draft_answers_as_a_case_that_does_not_exist(client, case, staff, outsider, who):
    assert not case.is_public  # a draft no copy of the notice went out of
    letter = letters.letter_draft_create(case_id=case.pk, user=staff, template_key="notice-sib")
    if who == "outsider":
        client.force_login(outsider)
    elif who == "signed in":
        client.force_login(UserFactory())

    hidden = _statuses(client, _case_endpoints(case.pk) + _letter_endpoints(letter.pk))
    missing = _statuses(client, _case_endpoints(NO_SUCH_ID) + _letter_endpoints(NO_SUCH_ID))
    assert hidden == missing
    if who != "anonymous":
        assert {k: v for k, v in hidden.items() if v != 404} == {}


def test_a_case_others_may_see_is_refused_with_a_403(client, outsider):
    public = case_with_notice_sent()
    client.force_login(outsider)
    statuses = _statuses(client, [e for e in _case_endpoints(public.pk) if e[0] != "export"])
    assert set(statuses.values()) == {403}, statuses
