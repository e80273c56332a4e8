"""
Reminder emails: HTML and plain text, absolute links built on SITE_URL, and a
signed one-click unsubscribe link (also in the List-Unsubscribe header).
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

UNSUBSCRIBE_SALT = "reminders.unsubscribe"


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_from_token(token: str):
    """The user an unsubscribe token was made for, or None when it is not genuine."""
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=data.get("u")).first()


def unsubscribe_url(user) -> str:
    return absolute(reverse("reminders:unsubscribe", args=[unsubscribe_token(user)]))


def _message(*, user, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(user)
    context = {
        **context,
        "user": user,
        "unsubscribe_url": unsubscribe,
        "preferences_url": absolute(reverse("reminders:list")),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"emails/{template}.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def reminder_email(*, notification) -> EmailMultiAlternatives:
    reminder = notification.reminder
    case = reminder.case
    return _message(
        user=notification.user,
        subject=f"{'Urgent: ' if reminder.rule.is_urgent else ''}{reminder.rule.name} — "
        f"{case.jurisdiction}",
        template="reminder",
        context={
            "reminder": reminder,
            "case": case,
            "rule": reminder.rule,
            "case_url": absolute(case.get_absolute_url()),
        },
    )


def case_event_email(*, notification) -> EmailMultiAlternatives:
    """An event staff hear of at once (an email received on the case), by email."""
    event = notification.event
    case = event.request
    return _message(
        user=notification.user,
        subject=f"{event.get_kind_display()} — {case.jurisdiction}",
        template="case_event",
        context={"event": event, "case": case, "case_url": absolute(case.get_absolute_url())},
    )


def digest_email(*, user, notifications) -> EmailMultiAlternatives:
    items = [
        {
            "notification": n,
            "reminder": n.reminder,
            "event": n.event,
            "case": n.case,
            "case_url": absolute(n.case.get_absolute_url()),
        }
        for n in notifications
    ]
    return _message(
        user=user,
        subject=f"{len(items)} reminder{'s' if len(items) != 1 else ''} about stalled cases",
        template="reminder_digest",
        context={"items": items},
    )
