"""
Previewing and sending a draft letter. What is previewed is what the editor
shows, saved or not; what is sent is what the sender was shown.

Sending takes two steps. The editor's "Send" button saves the text on
screen and checks the letter can go (signed, addressed, dated); the next
page shows the exact PDF that will be frozen, its SHA-256 and the recipient.
Confirming posts that SHA-256 back, and the letter is sent only if it still
prints to the same bytes, so nobody freezes a letter they have not seen.
A letter sent by email from the site takes the same page, with the email's
address, cover text and reply address in place of how it went out
(correspondence.mail.views.EmailSending).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.views import run_service

from . import forms, letters
from .mail import views as mail_views
from .models import Letter
from .views import _letter_for_write, letter_detail

ALREADY_SENT = "This letter was already sent."


def _pdf_response(content: bytes, *, filename: str, sha256: str = "") -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    if sha256:
        response["X-Content-SHA256"] = sha256
    return response


def _editor(request, letter: Letter) -> forms.LetterEditForm:
    return forms.LetterEditForm(request.POST, instance=Letter.objects.get(pk=letter.pk))


@require_POST
def letter_preview(request, pk: int):
    """
    The PDF of the text in the editor, saved or not, for the editor's
    "Preview the PDF" button (it opens in a new tab, with no script).
    Nothing is saved.
    """
    letter = _letter_for_write(request, pk)
    if letter.is_sent:
        return redirect("correspondence:letter_pdf", pk=letter.pk)
    form = _editor(request, letter)
    if not form.is_valid():
        return letter_detail(request, pk, edit_form=form, status=400)
    draft = form.instance  # the form's values, not saved
    draft.request = letter.request
    return _pdf_response(
        letters.letter_pdf_build(letter=draft), filename=f"letter-{letter.pk}-preview.pdf"
    )


@require_POST
def letter_send(request, pk: int):
    """The editor's "Send": save what it shows, check the letter can go, then confirm."""
    letter = _letter_for_write(request, pk)
    if letter.is_sent:
        messages.info(request, ALREADY_SENT)
        return redirect(letter.get_absolute_url())
    form = _editor(request, letter)
    if not form.is_valid():
        return letter_detail(request, pk, edit_form=form, status=400)
    response = run_service(
        request,
        form,
        lambda: letters.letter_send_ready(
            letter_id=letter.pk,
            user=request.user,
            **{f: form.cleaned_data[f] for f in letters.EDITABLE_FIELDS},
        ),
        success_message="",  # the confirmation page says what comes next
        success_url=reverse("correspondence:letter_send_confirm", args=[letter.pk]),
    )
    return response or letter_detail(request, pk, edit_form=form, status=400)


class PostedSending:
    """A letter sent outside the site (mail, fax, by hand): how, when, and its reference."""

    url_name = "correspondence:letter_send_confirm"
    form_class = forms.LetterSendForm
    success = "Letter sent."

    def initial(self, request, letter: Letter) -> dict:
        return {"sent_on": max(timezone.localdate(), letter.letter_date), "method": "letter"}

    def send(self, request, letter: Letter, data: dict):
        return letters.letter_send(
            letter_id=letter.pk,
            user=request.user,
            method=data["method"],
            sent_on=data["sent_on"],
            reference=data["reference"],
            expected_sha256=data["sha256"],
        )

    def context(self, request, letter: Letter, form) -> dict:
        return {}


POSTED = PostedSending()


@require_http_methods(["GET", "POST"])
def letter_send_confirm(request, pk: int, *, by_email: bool = False):
    """
    The PDF that will be frozen, its SHA-256 and its recipient, and how it
    goes out. Confirming sends it if it still prints to that SHA-256.
    `by_email` (its own address) sends it from the site by email instead.
    """
    way = mail_views.EMAIL if by_email else POSTED
    letter = _letter_for_write(request, pk)
    if letter.is_sent:
        messages.info(request, ALREADY_SENT)
        return redirect(letter.get_absolute_url())
    try:
        letters.letter_send_check(letter=letter)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(letter.get_absolute_url() + "#edit")
    status = 200
    if request.method == "POST":
        form = way.form_class(request.POST)
        if form.is_valid():
            response = run_service(
                request,
                form,
                lambda: way.send(request, letter, form.cleaned_data),
                success_message=way.success,
                success_url=letter.get_absolute_url(),
            )
            if response:
                return response
            if "sha256" in form.errors:
                # The letter changed since its PDF was shown: the page shows the new
                # PDF and its SHA-256 rather than the form that carries the old one.
                messages.error(request, letters.LETTER_CHANGED)
                return redirect(way.url_name, pk=letter.pk)
        status = 400
    _, digest = letters.letter_pdf_as_sent(letter=letter)
    if request.method == "GET":
        form = way.form_class(initial={"sha256": digest, **way.initial(request, letter)})
    context = {
        "letter": letter,
        "case": letter.request,
        "sha256": digest,
        "form": form,
        "pdf_url": reverse("correspondence:letter_send_pdf", args=[letter.pk]),
        "recipient_lines": [
            line
            for line in [letter.recipient_name, *letter.recipient_address.splitlines()]
            if line.strip()
        ],
        **way.context(request, letter, form),
    }
    return render(request, "correspondence/letter_send_confirm.html", context, status=status)


def letter_send_pdf(request, pk: int):
    """The saved draft laid out exactly as it will be frozen: no draft mark, with its SHA-256."""
    letter = _letter_for_write(request, pk)
    if letter.is_sent:
        return redirect("correspondence:letter_pdf", pk=letter.pk)
    content, digest = letters.letter_pdf_as_sent(letter=letter)
    return _pdf_response(content, filename=f"letter-{letter.pk}-to-send.pdf", sha256=digest)
