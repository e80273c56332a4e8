"""
Mail pages of a case: a letter sent by email, a received email made public,
and the original .eml of a received email. What a person may not see is a
404; writes need the jurisdiction's staff or counsel (a 403 otherwise) and
call one service each; the .eml holds every address and header, so only
they and admins may read it.

A letter goes by email through the same confirmation page as any letter
(correspondence.views_sending.letter_send_confirm, its email variant): the
letter page's form only chooses the address and the cover text, and the
confirmation shows them with the exact PDF, its SHA-256 and the case's
reply address before anything is frozen.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from core.views import run_service
from optouts.permissions import COUNSEL, STAFF, can_see_private, require_case_actor

from ..models import Correspondence, IncomingMail, Letter
from ..views import _letter_for_write, _visible
from . import inbound, outbound
from .addresses import reply_address

WRITERS = (STAFF, COUNSEL)


class LetterEmailForm(forms.Form):
    to = forms.EmailField(label="Recipient's email address", max_length=300)
    body = forms.CharField(
        label="Cover text",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The short text of the email; the letter goes as the attached PDF.",
    )


class LetterEmailConfirmForm(LetterEmailForm):
    """The address and cover text as the confirmation showed them, and the PDF's SHA-256."""

    sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].widget = forms.HiddenInput()
        self.fields["body"].widget = forms.HiddenInput()


def _chosen_key(letter_id: int) -> str:
    return f"letter-email-{letter_id}"


def _chosen(request, letter: Letter) -> dict:
    """The address and cover text chosen on the letter page, or the directory's and the default."""
    chosen = request.session.get(_chosen_key(letter.pk)) or {}
    return {
        "to": chosen.get("to") or outbound.letter_email_default(letter=letter),
        "body": chosen.get("body") or outbound.cover_text(letter=letter),
    }


class EmailSending:
    """
    The email variant of the confirmation page: what it shows besides the
    PDF and its SHA-256 (the address, the cover text, the reply address),
    the form that posts them back, and the service that sends.
    """

    url_name = "correspondence:letter_email_confirm"
    form_class = LetterEmailConfirmForm
    success = "Letter sent: the email goes out in a moment. Replies to it are filed on the case."

    def initial(self, request, letter: Letter) -> dict:
        return _chosen(request, letter)

    def send(self, request, letter: Letter, data: dict):
        row = outbound.letter_email_send(
            letter_id=letter.pk,
            user=request.user,
            to=data["to"],
            body=data["body"],
            expected_sha256=data["sha256"],
        )
        request.session.pop(_chosen_key(letter.pk), None)
        return row

    def context(self, request, letter: Letter, form) -> dict:
        values = form.data if form.is_bound else form.initial  # as posted, even when refused
        return {
            "email": {
                "to": values.get("to", ""),
                "body": values.get("body", ""),
                "from_address": settings.SCOMM_MAIL_FROM,
                "reply_to": reply_address(case_id=letter.request_id),
            }
        }


EMAIL = EmailSending()


@require_POST
def letter_email(request, pk: int):
    """
    The letter page's "Send by email": keep the address and cover text for
    the confirmation page, which shows them with the PDF before sending.
    Nothing is frozen or sent here.
    """
    letter = _letter_for_write(request, pk)
    if letter.is_sent:
        messages.info(request, "This letter was already sent.")
        return redirect(letter.get_absolute_url())
    form = LetterEmailForm(request.POST, prefix="email")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(letter.get_absolute_url() + "#email")
    request.session[_chosen_key(letter.pk)] = form.cleaned_data
    return redirect(EMAIL.url_name, pk=letter.pk)


@require_POST
def correspondence_publish(request, pk: int):
    try:
        entry = Correspondence.objects.select_related("request__jurisdiction").get(pk=pk)
    except Correspondence.DoesNotExist:
        raise Http404("No such correspondence.") from None
    if not _visible(request, entry.request, private=not entry.is_public):
        raise Http404("No such correspondence.")
    require_case_actor(request.user, entry.request, roles=WRITERS)
    case_url = entry.request.get_absolute_url() + "#correspondence"
    return run_service(
        request,
        None,
        lambda: inbound.mail_reply_publish(correspondence_id=entry.pk, user=request.user),
        success_message="Made public: it now shows on the case's public page.",
        success_url=case_url,
        failure_url=case_url,
    )


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
