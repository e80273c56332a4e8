import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jurisdictions.models import Jurisdiction, normalise_name
from jurisdictions.services import jurisdiction_plan_update
from tests.factories import JurisdictionFactory, StateFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_duplicate_jurisdiction_is_refused_with_a_clear_message():
    existing = JurisdictionFactory(name="San Francisco County")
    duplicate = Jurisdiction(state=existing.state, name="San Francisco County")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "This state already has a jurisdiction with this name." in str(exc.value)


def test_the_database_refuses_a_duplicate_even_without_validation():
    existing = JurisdictionFactory(name="Arlington County")
    with pytest.raises(IntegrityError), transaction.atomic():
        Jurisdiction.objects.create(state=existing.state, name="Arlington County")


def test_the_same_name_is_allowed_in_another_state():
    JurisdictionFactory(name="Orange County", state=StateFactory(fips="06", postal_code="CA", name="California"))
    other = JurisdictionFactory(name="Orange County", state=StateFactory(fips="37", postal_code="NC", name="North Carolina"))
    assert other.pk


def test_a_fips_code_is_unique_and_five_digits():
    state = StateFactory(fips="06", postal_code="CA", name="California")
    JurisdictionFactory(state=state, name="San Francisco County", fips="06075")
    with pytest.raises(ValidationError) as exc:
        Jurisdiction(state=state, name="Other", fips="06075").full_clean()
    assert "Another jurisdiction already has this FIPS code." in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        Jurisdiction(state=state, name="Short", fips="0607").full_clean()
    assert "A FIPS code is five digits." in str(exc.value)


def test_a_fips_code_must_belong_to_the_state():
    state = StateFactory(fips="06", postal_code="CA", name="California")
    with pytest.raises(ValidationError) as exc:
        Jurisdiction(state=state, name="Wrong", fips="51013").full_clean()
    assert "starts with 06" in str(exc.value)


def test_an_unknown_plan_status_is_refused_by_the_database():
    j = JurisdictionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Jurisdiction.objects.filter(pk=j.pk).update(plan_status="bogus")


def test_a_plan_change_is_kept_in_history_with_who_and_why():
    j = JurisdictionFactory(scheduled_activation=datetime.date(2010, 9, 1))
    admin = UserFactory()
    jurisdiction_plan_update(
        jurisdiction_id=j.pk, user=admin, reason="Schedule of 2010-08-15",
        scheduled_activation=datetime.date(2010, 10, 1),
    )
    latest = j.history.first()
    assert latest.scheduled_activation == datetime.date(2010, 10, 1)
    assert latest.history_user == admin
    assert latest.history_change_reason == "Schedule of 2010-08-15"
    assert latest.prev_record.scheduled_activation == datetime.date(2010, 9, 1)


def test_a_plan_update_that_changes_nothing_writes_no_history():
    j = JurisdictionFactory(scheduled_activation=datetime.date(2010, 9, 1))
    before = j.history.count()
    jurisdiction_plan_update(jurisdiction_id=j.pk, reason="same", scheduled_activation=datetime.date(2010, 9, 1))
    assert j.history.count() == before


def test_an_unknown_plan_status_is_refused_by_the_service():
    j = JurisdictionFactory()
    with pytest.raises(ValidationError):
        jurisdiction_plan_update(jurisdiction_id=j.pk, reason="x", plan_status="bogus")
    j.refresh_from_db()
    assert j.plan_status == Jurisdiction.PlanStatus.SCHEDULED


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Los Angeles County", "los angeles"),
        ("Los Angeles", "los angeles"),
        ("St. Louis city", "st louis city"),
        ("Saint Louis County", "st louis"),
        ("Doña Ana County", "dona ana"),
        ("Prince George's County", "prince georges"),
        ("Orleans Parish", "orleans"),
        ("County of San Diego", "san diego"),
    ],
)
def test_names_are_normalised_for_matching(name, expected):
    assert normalise_name(name) == expected
