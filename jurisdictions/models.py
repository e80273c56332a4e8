"""
States, their State Identification Bureaus, ICE's offices, and the
jurisdictions on ICE's deployment plan.

ICE signed with each state's SIB, not with counties; once a state signed, its
counties were put on the deployment plan, each with a scheduled activation
date. Every change to a jurisdiction's dates or plan status is kept.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .models_agreements import DatePrecision, StateAgreementEvent  # noqa: F401


class State(models.Model):
    name = models.CharField(max_length=64, unique=True)
    postal_code = models.CharField(max_length=2, unique=True)
    fips = models.CharField("FIPS code", max_length=2, unique=True)
    is_territory = models.BooleanField(default=False)
    agreement_signed = models.DateField(
        "statewide agreement signed",
        null=True,
        blank=True,
        help_text="When the state's identification bureau signed its agreement with ICE.",
    )
    agreement_has_opt_out_clause = models.BooleanField(
        "agreement has an opt-out clause", default=False
    )
    agreement_notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fips__regex=r"^[0-9]{2}$"), name="state_fips_two_digits"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("jurisdictions:list") + f"?state={self.postal_code}"


class StateIdentificationBureau(models.Model):
    """The state agency that forwards fingerprints to the FBI, and so to ICE."""

    state = models.OneToOneField(State, on_delete=models.CASCADE, related_name="sib")
    name = models.CharField(max_length=200)
    mailing_address = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    fax = models.CharField(max_length=32, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    contact_person = models.CharField(max_length=200, blank=True)
    contact_title = models.CharField(max_length=200, blank=True)
    salutation = models.CharField(
        max_length=200,
        blank=True,
        help_text="How a letter greets the contact, as “Dear Assistant Director Venturella:”.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "State Identification Bureau"
        ordering = ["state__name"]

    def __str__(self):
        return f"{self.name} ({self.state.postal_code})"


class IceOffice(models.Model):
    """An ICE office that receives opt-out notices: headquarters or a field office."""

    name = models.CharField(max_length=200, unique=True)
    is_headquarters = models.BooleanField(default=False)
    states = models.ManyToManyField(
        State, blank=True, related_name="ice_offices", help_text="States this office serves."
    )
    mailing_address = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    fax = models.CharField(max_length=32, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    contact_person = models.CharField(max_length=200, blank=True)
    contact_title = models.CharField(max_length=200, blank=True)
    salutation = models.CharField(
        max_length=200,
        blank=True,
        help_text="How a letter greets the contact, as “Dear Assistant Director Venturella:”.",
    )

    history = HistoricalRecords(m2m_fields=[states])

    class Meta:
        verbose_name = "ICE office"
        ordering = ["-is_headquarters", "name"]

    def __str__(self):
        return self.name


class JurisdictionKind(models.TextChoices):
    COUNTY = "county", "County"
    PARISH = "parish", "Parish"
    BOROUGH = "borough", "Borough or census area"
    CITY = "city", "City"
    INDEPENDENT_CITY = "independent_city", "Independent city"
    DISTRICT = "district", "District"
    MUNICIPIO = "municipio", "Municipio"


class PlanStatus(models.TextChoices):
    NOT_SCHEDULED = "not_scheduled", "Not scheduled"
    SCHEDULED = "scheduled", "Scheduled"
    ACTIVATED = "activated", "Activated"
    POSTPONED = "postponed", "Postponed"
    REMOVED = "removed", "Removed from plan"


class Jurisdiction(models.Model):
    Kind = JurisdictionKind
    PlanStatus = PlanStatus

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="jurisdictions")
    name = models.CharField(max_length=120)
    kind = models.CharField(
        max_length=20, choices=JurisdictionKind.choices, default=JurisdictionKind.COUNTY
    )
    fips = models.CharField(
        "FIPS code",
        max_length=5,
        blank=True,
        default="",
        help_text="Five digits: the state's two and the county's three, when it has one.",
    )
    scheduled_activation = models.DateField("scheduled activation date", null=True, blank=True)
    actual_activation = models.DateField("actual activation date", null=True, blank=True)
    # ICE's lists give some dates as a month or "on or before" a day: kept as given.
    scheduled_activation_precision = models.CharField(
        "scheduled date precision", max_length=12, choices=DatePrecision.choices, default="day"
    )
    actual_activation_precision = models.CharField(
        "actual date precision", max_length=12, choices=DatePrecision.choices, default="day"
    )
    plan_status = models.CharField(
        "status on the deployment plan",
        max_length=20,
        choices=PlanStatus.choices,
        default=PlanStatus.NOT_SCHEDULED,
    )
    letterhead = models.TextField(
        blank=True, help_text="The lines at the head of this jurisdiction's letters."
    )
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    seal = models.ImageField(upload_to="seals/", blank=True)
    search_name = models.CharField(max_length=120, editable=False, db_index=True, default="")

    history = HistoricalRecords()

    class Meta:
        ordering = ["state__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "name"],
                name="jurisdiction_unique_name_per_state",
                violation_error_message="This state already has a jurisdiction with this name.",
            ),
            models.UniqueConstraint(
                fields=["fips"],
                condition=~Q(fips=""),
                name="jurisdiction_unique_fips",
                violation_error_message="Another jurisdiction already has this FIPS code.",
            ),
            models.CheckConstraint(
                condition=Q(fips="") | Q(fips__regex=r"^[0-9]{5}$"),
                name="jurisdiction_fips_five_digits",
                violation_error_message="A FIPS code is five digits.",
            ),
            models.CheckConstraint(
                condition=Q(plan_status__in=PlanStatus.values),
                name="jurisdiction_plan_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=JurisdictionKind.values),
                name="jurisdiction_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(scheduled_activation_precision__in=DatePrecision.values)
                & Q(actual_activation_precision__in=DatePrecision.values),
                name="jurisdiction_date_precision_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["scheduled_activation"]),
            models.Index(fields=["plan_status"]),
        ]

    def __str__(self):
        return f"{self.name}, {self.state.postal_code}"

    def save(self, *args, **kwargs):
        self.search_name = normalise_name(self.name)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            if "name" in kwargs["update_fields"]:
                kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("jurisdictions:detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.fips and self.state_id and not self.fips.startswith(self.state.fips):
            raise ValidationError(
                {"fips": f"A FIPS code in {self.state} starts with {self.state.fips}."}
            )


class Membership(models.Model):
    """A user acts for a jurisdiction as its sheriff's office staff or its counsel."""

    class Role(models.TextChoices):
        STAFF = "staff", "Sheriff's office staff"
        COUNSEL = "counsel", "County counsel"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "jurisdiction", "role"],
                name="membership_unique",
                violation_error_message="This user already has this role here.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["staff", "counsel"]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.jurisdiction}"


_SUFFIXES = (
    " county",
    " parish",
    " borough",
    " city and borough",
    " census area",
    " municipality",
    " municipio",
)


def normalise_name(name: str) -> str:
    """The form used to match a jurisdiction's name: "Los Angeles County" -> "los angeles"."""
    import unicodedata

    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = " ".join(text.lower().replace(".", "").replace("'", "").split())
    text = text.replace("saint ", "st ")
    if text.startswith("county of "):
        text = text[len("county of ") :]
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text


class ScheduleVersion(models.Model):
    """
    One deployment schedule as an admin uploaded it: the file itself, what the
    check found, and, once applied, who applied it and what it changed.

    A schedule is checked before it is applied; the check's report (the diff
    against the plan in force and the rows in error) is kept so that the
    preview can be shown again without reading the file twice.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", "Being checked"
        CHECKED = "checked", "Checked, not applied"
        APPLIED = "applied", "Applied"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded in the admin"
        COMMAND = "command", "Loaded from the command line"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveIntegerField("size in bytes", default=0)
    content = models.BinaryField(editable=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.UPLOAD)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField("rows", default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField("new", default=0)
    changed_count = models.PositiveIntegerField("changed", default=0)
    unchanged_count = models.PositiveIntegerField("unchanged", default=0)
    error_count = models.PositiveIntegerField("rows in error", default=0)
    cases_flagged = models.PositiveIntegerField("open cases flagged", default=0)
    report = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = "deployment schedule"
        ordering = ["-uploaded_at", "-id"]
        permissions = [("apply_scheduleversion", "Can apply a deployment schedule")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["checking", "checked", "applied"]),
                name="schedule_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["upload", "command"]), name="schedule_source_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="applied") | (Q(applied_at__isnull=False) & Q(error_count=0)),
                name="schedule_applied_has_date_and_no_error",
                violation_error_message="An applied schedule has a date and no row in error.",
            ),
        ]

    def __str__(self):
        return (
            f"{self.file_name} ({self.uploaded_at:%b %-d, %Y})"
            if self.uploaded_at
            else self.file_name
        )

    def get_absolute_url(self):
        return reverse("jurisdictions:schedule_preview", args=[self.pk])

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0 if self.status == self.Status.CHECKING else 100
        return min(100, round(100 * self.rows_checked / self.rows_total))


class OfficeKind(models.TextChoices):
    """The offices a jurisdiction writes from; the first five are also who may ask to opt out."""

    SHERIFF = "sheriff", "Office of the Sheriff"
    COUNSEL = "county_counsel", "Office of the County Counsel"
    BOARD = "board_of_supervisors", "Board of Supervisors"
    EXECUTIVE = "county_executive", "Office of the County Executive"
    COUNCIL = "council", "Council"
    MAYOR = "mayor", "Office of the Mayor"
    POLICE = "police", "Police Department"


class Office(models.Model):
    """
    One office of a jurisdiction that signs letters: the sheriff, county
    counsel, the board... Each letter template names the office it speaks
    for, and the letter takes its letterhead, return address and signatory
    from that office, so counsel's letter is not printed under the sheriff's
    name. The jurisdiction's staff keep it up to date.
    """

    Kind = OfficeKind

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="offices")
    kind = models.CharField(max_length=24, choices=OfficeKind.choices)
    letterhead = models.TextField(
        blank=True,
        help_text="The lines at the head of the office's letters, the first in bold: "
        "“Office of the County Counsel”, “County of Santa Clara”.",
    )
    return_address = models.TextField(
        blank=True, help_text="Printed under the letterhead: where replies are to be sent."
    )
    signatory_name = models.CharField("who signs", max_length=200, blank=True)
    signatory_title = models.CharField("their title", max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["jurisdiction", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "kind"],
                name="office_unique_kind_per_jurisdiction",
                violation_error_message="This jurisdiction already has this office.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OfficeKind.values), name="office_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.jurisdiction}"
