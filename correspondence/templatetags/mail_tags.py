"""The mail pieces of the letter page: send by email (a draft), the proof (a sent email)."""

from django import template
from django.utils import timezone

from correspondence.mail import outbound
from correspondence.models import OutgoingMail

register = template.Library()


@register.inclusion_tag("correspondence/_letter_email.html", takes_context=True)
def letter_email_panel(context, letter):
    """
    A draft: the form, for those who may send it (the page already knows, as
    may_write). A sent letter: the proof of its email, if it went by email.
    """
    email = None
    if letter.is_sent and letter.method == "email":
        email = OutgoingMail.objects.filter(letter=letter).first()
    writer = not letter.is_sent and context.get("may_write", False)
    form = None
    if writer:
        from correspondence.mail.views import LetterEmailForm

        form = LetterEmailForm(
            initial={
                "to": outbound.letter_email_default(letter=letter),
                "body": outbound.cover_text(letter=letter),
            },
            prefix="email",
        )
    return {
        "letter": letter,
        "email": email,
        "form": form,
        "today": timezone.localdate(),
        "csrf_token": context.get("csrf_token"),
    }
