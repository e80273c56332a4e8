"""
Following by email without an account.

A follow is asked for with an address and a target (a case, a jurisdiction
or a state); it counts only once the address owner clicks the signed link
sent to it (double opt-in). Every email to a follower carries a signed
one-click unsubscribe link, also in the List-Unsubscribe header (RFC 8058).
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, make_msgid
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import ratelimit
from core.delivered import delivery
from jurisdictions.models import Jurisdiction, State
from optouts.models import CaseEvent, OptOutRequest

from . import selectors
from .models import Follow, FollowNotice

logger = logging.getLogger(__name__)

CONFIRM_SALT = "public.follow.confirm"
UNSUBSCRIBE_SALT = "public.follow.unsubscribe"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)
# A pending follow is not sent a second confirmation sooner than this.
RESEND_AFTER = datetime.timedelta(minutes=10)
# The events a follower is told about: a move, a copy or a letter sent, an
# activation, a deployment schedule moving the activation date.
NOTIFIED_KINDS = frozenset(
    {
        CaseEvent.Kind.STAGE,
        CaseEvent.Kind.DELIVERY,
        CaseEvent.Kind.CORRESPONDENCE,
        CaseEvent.Kind.ACTIVATION,
        CaseEvent.Kind.SCHEDULE,
        # Public reminders only: an activation date that is near.
        CaseEvent.Kind.REMINDER,
    }
)


class InvalidToken(ValidationError):
    """A confirmation or unsubscribe link that was altered, or has expired."""


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- tokens ------------------------------------------------------------------


def confirm_token(follow: Follow) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(
        {"id": follow.pk, "email": follow.email}
    )


def unsubscribe_token(follow: Follow) -> str:
    """Does not expire: an old email's link must still work."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
        {"id": follow.pk, "email": follow.email}
    )


def confirm_url(follow: Follow) -> str:
    return absolute(reverse("public:follow_confirm", args=[confirm_token(follow)]))


def unsubscribe_url(follow: Follow) -> str:
    return absolute(reverse("public:unsubscribe", args=[unsubscribe_token(follow)]))


def _follow_from(data: dict) -> Follow | None:
    if not isinstance(data, dict):
        return None
    follow = (
        Follow.objects.select_related("case__jurisdiction__state", "jurisdiction__state", "state")
        .filter(pk=data.get("id"))
        .first()
    )
    if follow is None or follow.email != data.get("email"):
        return None
    return follow


def follow_from_confirm_token(token: str) -> Follow | None:
    """The follow a confirmation link names; None when it no longer exists."""
    try:
        data = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
            token, max_age=CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired:
        raise InvalidToken(
            "This confirmation link has expired. Ask to follow again to get a new one."
        ) from None
    except signing.BadSignature:
        raise InvalidToken("This confirmation link is not valid. Copy the whole link.") from None
    return _follow_from(data)


def follow_from_unsubscribe_token(token: str) -> Follow | None:
    """The follow an unsubscribe link names; None when already unsubscribed."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        raise InvalidToken("This unsubscribe link is not valid. Copy the whole link.") from None
    return _follow_from(data)


# --- writes ------------------------------------------------------------------


def _target(*, case_id=None, jurisdiction_id=None, state_code=None) -> dict:
    given = [v for v in (case_id, jurisdiction_id, state_code) if v not in (None, "")]
    if len(given) != 1:
        raise ValidationError("Follow one case, one jurisdiction or one state.")
    if case_id not in (None, ""):
        case = selectors.public_cases().filter(pk=case_id).first()
        if case is None:
            raise ValidationError("There is no public opt-out request with this number.")
        return {"case": case}
    if jurisdiction_id not in (None, ""):
        jurisdiction = Jurisdiction.objects.select_related("state").filter(pk=jurisdiction_id)
        if not jurisdiction.exists():
            raise ValidationError("There is no such jurisdiction.")
        return {"jurisdiction": jurisdiction.get()}
    state = State.objects.filter(postal_code__iexact=str(state_code)).first()
    if state is None:
        raise ValidationError({"state": "There is no state with this postal code."})
    return {"state": state}


def follow_request(
    *,
    email: str,
    case_id: int | None = None,
    jurisdiction_id: int | None = None,
    state_code: str | None = None,
) -> Follow:
    """
    Ask to follow a target. Sends the confirmation link once (again only
    after a pause, so the form cannot flood an inbox); an address that
    already follows the target is left as it is, and the answer is the same
    either way, so nobody learns who follows what.

    However many targets and client addresses ask, one email address is
    named in at most SCOMM_FOLLOW_RATE_PER_EMAIL requests and sent at most
    SCOMM_FOLLOW_CONFIRMATIONS_PER_DAY confirmations: past either, raises
    core.ratelimit.RateLimited and saves nothing.
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    target = _target(case_id=case_id, jurisdiction_id=jurisdiction_id, state_code=state_code)
    ratelimit.check(
        "follow-email",
        email.lower(),
        ratelimit.parse_rate(settings.SCOMM_FOLLOW_RATE_PER_EMAIL),
        message="This email address was named in many requests to follow. Try again in {wait}.",
    )
    key = {k: v for k, v in target.items()}
    with transaction.atomic():
        follow = Follow.objects.select_for_update().filter(email__iexact=email, **key).first()
        if follow is None:
            try:
                with transaction.atomic():
                    follow = Follow.objects.create(email=email, **key)
            except IntegrityError:
                follow = Follow.objects.select_for_update().get(email=email, **key)
        now = timezone.now()
        if follow.confirmed_at is not None:
            return follow
        if follow.confirmation_sent_at and now - follow.confirmation_sent_at < RESEND_AFTER:
            return follow
        # Counted last, for a confirmation that is really sent; refused, the
        # transaction is undone and no follow is left waiting.
        ratelimit.check(
            "follow-confirmations",
            email.lower(),
            _confirmations_rate(),
            message="This email address has been sent as many confirmation emails as it "
            "may get in a day. Try again in {wait}.",
        )
        follow.confirmation_sent_at = now
        follow.confirmation_message_id = _new_message_id()
        follow.confirmation_emailed_at = None
        follow.save(
            update_fields=[
                "confirmation_sent_at",
                "confirmation_message_id",
                "confirmation_emailed_at",
            ]
        )
        from core import outbox

        from .tasks import follow_send_confirmation

        outbox.enqueue(follow_send_confirmation, follow.pk)
    return follow


def _confirmations_rate() -> ratelimit.Rate | None:
    per_day = settings.SCOMM_FOLLOW_CONFIRMATIONS_PER_DAY
    return ratelimit.Rate(per_day, 86400) if per_day else None


def follow_send_confirmation(*, follow_id: int) -> bool:
    """
    Email the confirmation link once per request to follow: nothing when the
    follow is gone, confirmed or already emailed. Claimed (the row locked),
    sent with the Message-ID the request kept, then marked emailed in the
    same transaction; a worker killed in between leaves it to the retry,
    which sends it with the same Message-ID.
    """

    def mark():
        return Follow.objects.filter(pk=follow_id, confirmation_emailed_at__isnull=True).update(
            confirmation_emailed_at=timezone.now()
        )

    with delivery(mark, what=f"follow confirmation #{follow_id}") as sent, transaction.atomic():
        follow = (
            # Waits for another run of the same task sending it: a run that
            # skipped it and reported success would leave it unsent if the
            # other run died.
            Follow.objects.select_for_update(of=("self",))
            .select_related("case__jurisdiction__state", "jurisdiction__state", "state")
            .filter(pk=follow_id, confirmed_at__isnull=True, confirmation_emailed_at__isnull=True)
            .first()
        )
        if follow is None:
            return False
        message_id = follow.confirmation_message_id or _new_message_id()
        context = {
            "follow": follow,
            "confirm_url": confirm_url(follow),
            "target_url": absolute(follow.target_url),
            "days": CONFIRM_MAX_AGE.days,
        }
        EmailMessage(
            subject=f"Confirm: follow {follow.target_label}",
            body=render_to_string("public/email/confirm.txt", context),
            to=[follow.email],
            headers={"Message-ID": message_id},
        ).send()
        sent()
        Follow.objects.filter(pk=follow.pk).update(
            confirmation_emailed_at=timezone.now(), confirmation_message_id=message_id
        )
    return True


@transaction.atomic
def follow_confirm(*, token: str) -> Follow:
    """Confirm a follow from its signed link; repeating it changes nothing."""
    follow = follow_from_confirm_token(token)
    if follow is None:
        raise InvalidToken("This follow was cancelled. Ask to follow again.")
    follow = Follow.objects.select_for_update().get(pk=follow.pk)
    if follow.confirmed_at is None:
        follow.confirmed_at = timezone.now()
        follow.save(update_fields=["confirmed_at"])
    return follow


@transaction.atomic
def follow_unsubscribe(*, token: str) -> str | None:
    """
    Stop a follow from its signed link. Returns what was unfollowed, or
    None when it had already stopped (a second click is not an error).
    """
    follow = follow_from_unsubscribe_token(token)
    if follow is None:
        return None
    label = follow.target_label
    follow.delete()
    return label


# --- telling followers -------------------------------------------------------


def event_is_notified(event: CaseEvent) -> bool:
    return event.is_public and event.kind in NOTIFIED_KINDS


def followers_notify_case_event(event: CaseEvent) -> int:
    """
    Email every confirmed follower of the event's case, jurisdiction or state
    once about a public event. Each (address, event) gets a unique row first;
    a row is marked sent after its email goes, so a rerun after a crash sends
    what is missing and never sends twice what went. Returns emails sent.
    """
    if not event_is_notified(event):
        return 0
    case = (
        selectors.public_cases()
        .filter(pk=event.request_id)
        .select_related("jurisdiction__state")
        .first()
    )
    if case is None:
        return 0  # a case still in draft is not public yet
    followers = selectors.followers_for_case(case)
    if not followers:
        return 0
    FollowNotice.objects.bulk_create(
        [
            FollowNotice(email=email, follow=f, event=event, message_id=_new_message_id())
            for email, f in followers.items()
        ],
        ignore_conflicts=True,
    )
    sent = 0
    pending = list(
        FollowNotice.objects.filter(event=event, sent_at__isnull=True).values_list("pk", flat=True)
    )
    for notice_id in FollowNotice.objects.filter(pk__in=pending, message_id="").values_list(
        "pk", flat=True
    ):  # a row written before notices kept their Message-ID
        FollowNotice.objects.filter(pk=notice_id).update(message_id=_new_message_id())
    # Claimed: the row locked while its email is sent; delivered: sent_at set
    # in the same transaction. A worker killed between the two leaves the row
    # unsent, and the retry sends it with the same Message-ID.
    # A database lost after the send (core.delivered): the mark written again.
    for notice_id in pending:

        def mark(pk=notice_id):
            return FollowNotice.objects.filter(pk=pk, sent_at__isnull=True).update(
                sent_at=timezone.now()
            )

        with delivery(mark, what=f"follow notice #{notice_id}") as sent_, transaction.atomic():
            notice = (
                # Waits, not skips, for another run sending the same notice
                # (see the confirmation above).
                FollowNotice.objects.select_for_update()
                .filter(pk=notice_id, sent_at__isnull=True)
                .first()
            )
            if notice is None:
                continue
            follow = followers.get(notice.email)
            if follow is None:
                notice.sent_at = timezone.now()  # unfollowed meanwhile: nothing to send
                notice.save(update_fields=["sent_at"])
                continue
            _send_event_email(follow=follow, event=event, case=case, message_id=notice.message_id)
            sent_()
            notice.sent_at = timezone.now()
            notice.save(update_fields=["sent_at"])
        sent += 1
    return sent


def _new_message_id() -> str:
    return make_msgid(domain=settings.SCOMM_REPLY_DOMAIN)


def _send_event_email(
    *, follow: Follow, event: CaseEvent, case: OptOutRequest, message_id: str
) -> None:
    link = unsubscribe_url(follow)
    context = {
        "follow": follow,
        "event": event,
        "case": case,
        "case_url": absolute(case.get_absolute_url()),
        "unsubscribe_url": link,
    }
    subject = f"{case.jurisdiction}: {event.get_kind_display().lower()}"
    if event.kind == CaseEvent.Kind.STAGE and event.to_stage:
        subject = f"{case.jurisdiction}: {event.get_to_stage_display().lower()}"
    EmailMessage(
        subject=subject,
        body=render_to_string("public/email/event.txt", context),
        to=[follow.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id,
        },
    ).send()
