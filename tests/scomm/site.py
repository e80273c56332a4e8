"""
A small site with one of everything, and every URL of the site aimed at it.

The endpoint walk, the security headers and the accessibility pages all walk
the same list: every pattern of the URL configuration, each given real
objects of the seeded site ("shown": a thing of the county that others may
see but not change; "hidden": a draft or private thing of the county that
others may not see). A pattern without an entry in ROUTES fails the walk,
so an endpoint cannot be added and forgotten.
"""

import datetime
import hashlib
import types
import uuid
from email.message import EmailMessage

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# Every private thing of the site carries this prefix: a page that shows it
# to someone who may not see it fails the walk.
PRIVATE = "ZQX-PRIVATE"


def _walk(patterns, namespace="", prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            # A pattern with no name is known by its route.
            key = f"{namespace}{entry.name}" if entry.name else prefix + str(entry.pattern)
            yield key, entry


def all_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the site, Django's admin included, by name (or route)."""
    return dict(_walk(get_resolver().url_patterns))


def _is_admin(key: str) -> bool:
    return key.startswith(("admin:", "admin/"))


def site_patterns() -> list[str]:
    return sorted(k for k in all_patterns() if not _is_admin(k))


def admin_patterns() -> list[str]:
    return sorted(k for k in all_patterns() if _is_admin(k))


def snapshot() -> dict[str, str]:
    """
    A digest of every row of every installed model. Sessions are left out:
    a signed-in request may renew its own session whatever it asks for.
    """
    digests = {}
    for model in apps.get_models():
        if model._meta.label == "sessions.Session":
            continue
        rows = model._default_manager.order_by("pk").values_list()
        digests[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def changed(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def build(users: bool = True) -> types.SimpleNamespace:
    """
    The county "Home County" (state XQ) with its staff and counsel; a public
    case (its notice sent, a copy received with its proof, a meeting
    requested, an internal note, a draft and a sent letter, public and
    private correspondence with attachments, a reply received by email, a
    snooze, a public and a private export), a draft case with a draft
    letter, a denied case; a schedule awaiting its apply; the staff of a
    neighbouring county; an admin.
    """
    from correspondence import letters, log
    from correspondence.defaults import letter_templates_install_defaults
    from correspondence.mail.addresses import reply_address
    from correspondence.mail.inbound import mail_receive
    from correspondence.models import CaseExport, Letter
    from jurisdictions.models import ScheduleVersion
    from optouts import services
    from optouts.models import Outcome
    from reminders import services as reminders
    from reminders.models import Notification
    from tests.factories import (
        IceOfficeFactory,
        JurisdictionFactory,
        MembershipFactory,
        SibFactory,
        StateFactory,
        UserFactory,
    )

    letter_templates_install_defaults()  # a transactional test starts from empty tables

    today = timezone.localdate()
    state = StateFactory(postal_code="XQ", name="Quebecia", fips="77")
    SibFactory(state=state, name="Quebecia Bureau", mailing_address="1 Capitol Way\nCapital City")
    ice = IceOfficeFactory(mailing_address="500 12th Street SW\nWashington, DC 20536")
    ice.states.add(state)
    home = JurisdictionFactory(
        state=state,
        name="Home County",
        fips="77001",
        letterhead="Office of the Sheriff\nHome County",
        signatory_name="Pat Sheriff",
        signatory_title="Sheriff",
    )
    neighbour_county = JurisdictionFactory(state=state, name="Neighbour County", fips="77003")
    staff = MembershipFactory(jurisdiction=home, role="staff").user
    counsel = MembershipFactory(jurisdiction=home, role="counsel").user
    neighbour = MembershipFactory(jurisdiction=neighbour_county, role="staff").user
    admin = UserFactory(username="site-admin", is_staff=True, is_superuser=True)

    case = services.optout_create(
        jurisdiction=home,
        user=staff,
        requesting_official="Sheriff Pat Sheriff",
        requesting_body="sheriff",
        reasons="Trust between police and the community.",
        opened_on=today - datetime.timedelta(days=20),
    )
    deliveries = {}
    for recipient in ("sib", "ice"):
        deliveries[recipient] = services.delivery_record(
            case_id=case.pk,
            user=staff,
            recipient=recipient,
            recipient_name=f"The {recipient}",
            method="letter",
            sent_on=today - datetime.timedelta(days=15),
        )
    case.refresh_from_db()
    services.delivery_receipt_record(
        delivery_id=deliveries["sib"].pk,
        user=staff,
        received_on=today - datetime.timedelta(days=14),
        received_by="Clerk",
        proof=SimpleUploadedFile("receipt.png", _png(), content_type="image/png"),
    )
    services.optout_request_meeting(case_id=case.pk, user=staff, occurred_on=today)
    note = services.event_record(
        case_id=case.pk,
        user=counsel,
        kind="note",
        summary=f"Internal {PRIVATE}-NOTE",
        is_public=False,
    )
    draft_letter = letters.letter_draft_create(
        case_id=case.pk, user=staff, template_key="notice-ice"
    )
    Letter.objects.filter(pk=draft_letter.pk).update(body=f"Draft text {PRIVATE}-LETTER")
    sent_letter = letters.letter_draft_create(
        case_id=case.pk, user=staff, template_key="notice-sib"
    )
    pdf = b"%PDF-1.4\n% a sent letter\n"
    sent_letter.pdf.save(f"letter-{sent_letter.pk}.pdf", ContentFile(pdf), save=False)
    Letter.objects.filter(pk=sent_letter.pk).update(
        status="sent",
        pdf=sent_letter.pdf.name,
        sha256=hashlib.sha256(pdf).hexdigest(),
        method="letter",
        sent_on=today - datetime.timedelta(days=15),
        sent_at=timezone.now(),
    )

    def entry(is_public, summary):
        return log.correspondence_record(
            case_id=case.pk,
            user=staff,
            direction="in",
            method="email",
            occurred_on=today,
            sender="ICE",
            recipient="Sheriff",
            summary=summary,
            is_public=is_public,
            files=[SimpleUploadedFile("reply.png", _png(), content_type="image/png")],
        )

    public_entry = entry(True, "ICE answered.")
    private_entry = entry(False, f"Counsel's reading {PRIVATE}-ENTRY")

    message = EmailMessage()
    message["From"] = "ice@example.gov"
    message["To"] = reply_address(case_id=case.pk)
    message["Subject"] = "Re: opt-out"
    message["Message-ID"] = f"<{uuid.uuid4()}@example.gov>"
    message.set_content(f"A reply {PRIVATE}-MAIL")
    incoming = mail_receive(raw=message.as_bytes(), source="pipe")
    replied = (
        incoming.correspondence_set.first() if hasattr(incoming, "correspondence_set") else None
    )

    Notification.objects.create(user=staff, event=note)
    snooze = reminders.snooze_create(
        case_id=case.pk, user=staff, until=today + datetime.timedelta(days=5), reason="Board vote"
    )

    def export(include_private):
        row = CaseExport.objects.create(
            request=case, kind="zip", include_private=include_private, requested_by=staff
        )
        row.file.save(f"case-{case.pk}.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
        CaseExport.objects.filter(pk=row.pk).update(
            status="done", progress=100, file=row.file.name, finished_at=timezone.now()
        )
        return row

    public_export, private_export = export(False), export(True)

    draft = services.optout_create(
        jurisdiction=home,
        user=staff,
        requesting_official="Sheriff Draft",
        requesting_body="sheriff",
        reasons=f"Draft reasons {PRIVATE}-DRAFT",
    )
    draft_case_letter = letters.letter_draft_create(
        case_id=draft.pk, user=staff, template_key="notice-ice"
    )
    denied = services.optout_create(
        jurisdiction=home, user=staff, requesting_official="Sheriff", requesting_body="sheriff"
    )
    for recipient in ("sib", "ice"):
        services.delivery_record(
            case_id=denied.pk,
            user=staff,
            recipient=recipient,
            recipient_name="Office",
            method="email",
            sent_on=today - datetime.timedelta(days=10),
        )
    services.optout_resolve(case_id=denied.pk, user=staff, outcome=Outcome.DENIED)

    content = b"state,jurisdiction,scheduled_activation\nXQ,Home County,2010-09-01\n"
    schedule = ScheduleVersion.objects.create(
        file_name="ice.csv",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        uploaded_by=admin,
        status="checked",
    )
    case.refresh_from_db()
    draft.refresh_from_db()
    return types.SimpleNamespace(
        today=today,
        state=state,
        home=home,
        staff=staff,
        counsel=counsel,
        neighbour=neighbour,
        admin=admin,
        case=case,
        draft=draft,
        denied=denied,
        deliveries=deliveries,
        note=note,
        public_event=case.events.filter(is_public=True).first(),
        draft_letter=draft_letter,
        sent_letter=sent_letter,
        draft_case_letter=draft_case_letter,
        public_entry=public_entry,
        private_entry=private_entry,
        replied=replied,
        incoming=incoming,
        snooze=snooze,
        public_export=public_export,
        private_export=private_export,
        schedule=schedule,
    )


def _case(hidden, shown):
    return lambda s, t: {"pk": (getattr(s, hidden) if t == "hidden" else getattr(s, shown)).pk}


def _one(value):
    return lambda s, t: value(s) if t == "shown" else None


# Every non-admin URL of the site: its arguments aimed at the "hidden" and the
# "shown" thing (None: the URL has no such thing to aim at).
ROUTES = {
    "home": lambda s, t: {},
    "login": lambda s, t: {},
    "logout": lambda s, t: {},
    "healthz": lambda s, t: {},
    "readyz": lambda s, t: {},
    "jurisdictions:list": lambda s, t: {},
    "jurisdictions:detail": _one(lambda s: {"pk": s.home.pk}),
    "jurisdictions:state": _one(lambda s: {"postal_code": "XQ"}),
    "jurisdictions:schedule_upload": lambda s, t: {},
    "jurisdictions:schedule_preview": _one(lambda s: {"pk": s.schedule.pk}),
    "jurisdictions:schedule_status": _one(lambda s: {"pk": s.schedule.pk}),
    "jurisdictions:schedule_recheck": _one(lambda s: {"pk": s.schedule.pk}),
    "jurisdictions:schedule_discard": _one(lambda s: {"pk": s.schedule.pk}),
    "optouts:list": lambda s, t: {},
    "optouts:create": lambda s, t: {},
    "optouts:detail": _case("draft", "case"),
    "optouts:notice": _case("draft", "case"),
    "optouts:receipt": _case("draft", "case"),
    "optouts:receipt_proof": lambda s, t: {
        "pk": (s.draft if t == "hidden" else s.case).pk,
        "delivery_pk": s.deliveries["sib"].pk,
    },
    "optouts:event": _case("draft", "case"),
    "optouts:reopen": _case("draft", "denied"),
    "optouts:action": lambda s, t: {
        "pk": (s.draft if t == "hidden" else s.case).pk,
        "action": "withdraw",
    },
    "optouts:schedule_apply": _one(lambda s: {"pk": s.schedule.pk}),
    "correspondence:letter_create": lambda s, t: {
        "case_pk": (s.draft if t == "hidden" else s.case).pk
    },
    "correspondence:correspondence_create": lambda s, t: {
        "case_pk": (s.draft if t == "hidden" else s.case).pk
    },
    "correspondence:export_create": lambda s, t: {
        "case_pk": (s.draft if t == "hidden" else s.case).pk
    },
    "correspondence:letter": _case("draft_letter", "sent_letter"),
    "correspondence:letter_edit": _case("draft_letter", "sent_letter"),
    "correspondence:letter_preview": _case("draft_letter", "sent_letter"),
    "correspondence:letter_send": _case("draft_letter", "sent_letter"),
    "correspondence:letter_send_confirm": _case("draft_letter", "sent_letter"),
    "correspondence:letter_send_pdf": _case("draft_letter", "sent_letter"),
    "correspondence:letter_delete": _case("draft_letter", "sent_letter"),
    "correspondence:letter_pdf": _case("draft_letter", "sent_letter"),
    "correspondence:letter_email": _case("draft_letter", "sent_letter"),
    "correspondence:letter_email_confirm": _case("draft_letter", "sent_letter"),
    "correspondence:attachment": lambda s, t: {
        "pk": (s.private_entry if t == "hidden" else s.public_entry).attachments.first().pk
    },
    "correspondence:office_list": _one(lambda s: {"jurisdiction_pk": s.home.pk}),
    "correspondence:office_edit": _one(lambda s: {"jurisdiction_pk": s.home.pk, "kind": "sheriff"}),
    "correspondence:correspondence_publish": lambda s, t: {
        "pk": s.private_entry.pk if t == "hidden" else s.public_entry.pk
    },
    "correspondence:mail_eml": lambda s, t: {"pk": s.incoming.pk} if t == "hidden" else None,
    "correspondence:export": _case("private_export", "public_export"),
    "correspondence:export_status": _case("private_export", "public_export"),
    "correspondence:export_download": _case("private_export", "public_export"),
    "reminders:list": lambda s, t: {},
    "reminders:read": lambda s, t: {},
    "reminders:preferences": lambda s, t: {},
    "reminders:unsubscribe": lambda s, t: {"token": "not-a-real-token"},
    "reminders:snooze": _case("draft", "case"),
    "reminders:snooze_cancel": _one(lambda s: {"pk": s.snooze.pk}),
    "public:favicon": lambda s, t: {},
    "public:map": lambda s, t: {},
    "public:map_svg": lambda s, t: {},
    "public:data": lambda s, t: {},
    "public:follow": lambda s, t: {},
    "public:follow_confirm": lambda s, t: {"token": "not-a-real-token"},
    "public:unsubscribe": lambda s, t: {"token": "not-a-real-token"},
    "public:feed_events": lambda s, t: {},
    "public:feed_case": _case("draft", "case"),
    "public:feed_state": _one(lambda s: {"postal_code": "XQ"}),
    "public:cases_csv": lambda s, t: {},
    "public:calendar": lambda s, t: {},
    "public:case_calendar": _case("draft", "case"),
    "public:api-schema": lambda s, t: {},
    "public:api-case-list": lambda s, t: {},
    "public:api-case-detail": _case("draft", "case"),
    "public:api-event-list": lambda s, t: {},
    "public:api-event-detail": _case("note", "public_event"),
    "public:api-jurisdiction-list": lambda s, t: {},
    "public:api-jurisdiction-detail": _one(lambda s: {"pk": s.home.pk}),
    "public:api-state-agreement-list": lambda s, t: {},
    "public:api-state-agreement-detail": _one(lambda s: {"pk": 1}),
    "public:api-not-found": lambda s, t: {},
    # Uploads are served by Django only with DJANGO_DEBUG=1; private files never are.
    "^media/(?P<path>.*)$": _one(lambda s: {"path": s.public_entry.attachments.first().file.name}),
}

# Writes anyone may make for themselves: asking to follow (the row waits for
# the emailed confirmation), signing out, and asking for the public version
# of a public case's file (built in the background, without anything private).
OPEN_WRITES = {"public:follow", "logout", "admin:logout", "correspondence:export_create"}
# Writes a signed-in user makes on their own things: their email preference,
# their bell marked read.
OWN_WRITES = {"reminders:preferences", "reminders:read"}


def url(key: str, site, target: str) -> str | None:
    """The URL of `key` aimed at the site's `target` thing, or None."""
    kwargs = ROUTES[key](site, target)
    if kwargs is None:
        return None
    if key.startswith("^media/"):
        return "/media/" + kwargs["path"]
    if key == "public:api-not-found":
        return "/api/nothing/here/"
    return reverse(key, kwargs=kwargs)


def admin_url(key: str, site) -> str:
    """An admin URL with its arguments aimed at the public case (or any row)."""
    from django.contrib.contenttypes.models import ContentType

    if key.startswith("admin/"):  # an unnamed pattern: the admin's redirects
        route = key.replace("<path:object_id>", str(site.case.pk)).replace("(?P<url>.*)$", "x/")
        return "/" + route
    pattern = all_patterns()[key]
    values = {
        "object_id": str(site.case.pk),
        "app_label": "optouts",
        "content_type_id": ContentType.objects.get_for_model(type(site.case)).pk,
        "history_id": "1",
        "url": "x/",
    }
    names = list(getattr(pattern.pattern, "converters", {}) or pattern.pattern.regex.groupindex)
    if not names and pattern.pattern.regex.groups:  # simple-history's unnamed groups
        return reverse(key, args=[str(site.case.pk)] + ["1"] * (pattern.pattern.regex.groups - 1))
    return reverse(key, kwargs={name: values.get(name, "1") for name in names})


def payload(site) -> dict:
    """
    One form for every write: the fields of every form of the site, each
    valid, so that a write refused with it would have changed something had
    it been allowed (tests/scomm/test_every_endpoint.py proves it per URL).
    """
    from correspondence.models import LetterTemplate

    today = site.today.isoformat()
    template = LetterTemplate.objects.filter(is_active=True).order_by("pk").first()
    return {
        # filing a case, for the county the neighbour does not act for
        "jurisdiction": site.home.pk,
        "requesting_official": "Forged official",
        "requesting_body": "sheriff",
        "reasons": "Forged",
        "opened_on": today,
        # the notice of a draft
        "version": "",
        "sib-include": "1",
        "sib-recipient_name": "Bureau",
        "sib-method": "letter",
        "sib-sent_on": today,
        # a receipt
        "receipt-delivery": site.deliveries["ice"].pk,
        "receipt-received_on": today,
        "receipt-received_by": "Forged clerk",
        # a note, a withdrawal, reopening
        "event-kind": "note",
        "event-occurred_on": today,
        "event-summary": "Forged note",
        "withdraw-reason": "Forged withdrawal",
        "withdraw-occurred_on": today,
        "reopen-occurred_on": today,
        # letters
        "template": template.pk if template else "",
        "recipient_name": "Forged recipient",
        "recipient_address": "1 Forged Street",
        "letter_date": today,
        "subject": "Forged subject",
        "body": "Forged body",
        "cc": "",
        "signatory_name": "Forged signatory",
        "signatory_title": "Forged title",
        "sha256": "0" * 64,
        "method": "email",
        "sent_on": today,
        "reference": "",
        "email-to": "forged@example.org",
        "email-cover": "Forged cover",
        # correspondence and exports
        "direction": "in",
        "occurred_on": today,
        "sender": "Forged sender",
        "recipient": "Forged recipient",
        "summary": "Forged summary",
        "is_public": "on",
        "kind": "zip",
        # an office
        "letterhead": "Forged letterhead",
        "return_address": "Forged return address",
        # reminders
        "snooze-until": (site.today + datetime.timedelta(days=9)).isoformat(),
        "snooze-reason": "Forged snooze",
        "delivery": "digest",
        # following
        "email": "forged@example.org",
        "case": site.case.pk,
        # sign-in
        "username": "nobody",
        "password": "",
    }
