import datetime

import factory
from django.contrib.auth import get_user_model

from jurisdictions.models import (
    IceOffice,
    Jurisdiction,
    Membership,
    State,
    StateIdentificationBureau,
)
from optouts.models import OptOutRequest

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ("fips",)

    fips = factory.Sequence(lambda n: f"{80 + n % 20:02d}")  # no real state uses 80-99
    postal_code = factory.Sequence(lambda n: f"Q{chr(65 + n % 26)}")  # no real code starts with Q
    name = factory.Sequence(lambda n: f"State {n}")


class SibFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StateIdentificationBureau

    state = factory.SubFactory(StateFactory)
    name = factory.LazyAttribute(lambda o: f"{o.state.name} Bureau of Identification")


class IceOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IceOffice
        django_get_or_create = ("name",)

    name = "ICE Secure Communities Program Management Office"
    is_headquarters = True


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction

    state = factory.SubFactory(StateFactory)
    name = factory.Sequence(lambda n: f"Example {n} County")
    fips = ""
    scheduled_activation = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=45)
    )
    plan_status = Jurisdiction.PlanStatus.SCHEDULED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    role = Membership.Role.STAFF


class OptOutRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OptOutRequest

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    requesting_official = "Sheriff Example"
    requesting_body = "sheriff"
    reasons = "Community policing."


def copy_sent(case, user, recipient: str, sent_on, *, method: str = "letter") -> None:
    """One copy of the case's notice recorded as sent, through the service."""
    from optouts import services

    services.delivery_record(
        case_id=case.pk,
        user=user,
        recipient=recipient,
        recipient_name="Office",
        method=method,
        sent_on=sent_on,
    )


def case_with_notice_sent(*, jurisdiction=None, user=None, method="letter", **extra):
    """A case filed through the services whose notice reached both the SIB and ICE."""

    from optouts import services
    from optouts.models import Recipient

    jurisdiction = jurisdiction or JurisdictionFactory()
    user = user or MembershipFactory(jurisdiction=jurisdiction, role="staff").user
    case = services.optout_create(
        jurisdiction=jurisdiction,
        user=user,
        requesting_official=extra.pop("requesting_official", "Sheriff"),
        requesting_body="sheriff",
        **extra,
    )
    for recipient in (Recipient.SIB, Recipient.ICE):
        copy_sent(case, user, recipient, case.opened_on, method=method)
    case.refresh_from_db()
    return case
