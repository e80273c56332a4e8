"""
Mail pages of a case: a letter sent by email, a received email made public,
and the original .eml of a received email. Writes need the jurisdiction's
staff or counsel (a 403 otherwise) and call one service each; the .eml holds
every address and header, so only they and admins may read it.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from optouts.permissions import COUNSEL, STAFF, can_see_private, require_case_actor

from .. import selectors
from ..models import Correspondence, IncomingMail, Letter
from . import inbound, outbound

WRITERS = (STAFF, COUNSEL)


class LetterEmailForm(forms.Form):
    to = forms.EmailField(label="Recipient's email address", max_length=300)
    body = forms.CharField(
        label="Cover text",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The short text of the email; the letter goes as the attached PDF.",
    )


@require_POST
def letter_email(request, pk: int):
    try:
        letter = selectors.letter_detail(pk=pk)
    except Letter.DoesNotExist:
        raise Http404("No such letter.") from None
    require_case_actor(request.user, letter.request, roles=WRITERS)
    form = LetterEmailForm(request.POST, prefix="email")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(letter.get_absolute_url() + "#email")
    try:
        outbound.letter_email_send(letter_id=letter.pk, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(letter.get_absolute_url() + "#email")
    messages.success(
        request, "Frozen and queued for sending by email. Replies to it are filed on the case."
    )
    return redirect(letter.get_absolute_url())


@require_POST
def correspondence_publish(request, pk: int):
    try:
        entry = Correspondence.objects.select_related("request__jurisdiction").get(pk=pk)
    except Correspondence.DoesNotExist:
        raise Http404("No such correspondence.") from None
    if not can_see_private(request.user, entry.request.jurisdiction_id) and not entry.is_public:
        raise Http404("No such correspondence.")
    require_case_actor(request.user, entry.request, roles=WRITERS)
    inbound.mail_reply_publish(correspondence_id=entry.pk, user=request.user)
    messages.success(request, "Made public: it shows on the case's public page.")
    return redirect(entry.request.get_absolute_url() + "#correspondence")


def mail_eml(request, pk: int):
    """A received email as it arrived, for the jurisdiction's staff and counsel and admins."""
    row = IncomingMail.objects.filter(pk=pk).select_related("request").first()
    allowed = row is not None and (
        (request.user.is_authenticated and request.user.is_superuser)
        or (row.request_id and can_see_private(request.user, row.request.jurisdiction_id))
    )
    if not allowed:
        raise Http404("No such email.")
    response = FileResponse(
        row.eml.open("rb"),
        as_attachment=True,
        filename=f"email-{row.pk}.eml",
        content_type="message/rfc822",
    )
    response["Cache-Control"] = "private, no-store"
    return response
