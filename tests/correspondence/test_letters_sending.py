"""Sending what was shown, refusing what cannot go, and offering the next letter first."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from correspondence import letters, selectors
from correspondence.models import Letter
from tests.factories import copy_sent

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _draft(case, user, key="notice-ice"):
    return letters.letter_draft_create(case_id=case.pk, user=user, template_key=key)


def test_a_letter_nobody_signs_is_refused_at_the_field_and_nothing_is_saved(case, counsel):
    letter = _draft(case, counsel)
    with pytest.raises(ValidationError) as exc:
        letters.letter_send_ready(
            letter_id=letter.pk, user=counsel, signatory_name="", body="Typed, not kept."
        )
    assert "signatory_name" in exc.value.message_dict
    letter.refresh_from_db()
    assert letter.signatory_name == "Pat Sheriff" and letter.body != "Typed, not kept."
    for field in ("signatory_name", "recipient_address"):
        with pytest.raises(ValidationError) as exc:
            letters.letter_send(
                letter_id=letter.pk,
                user=counsel,
                method="letter",
                sent_on=TODAY,
                changes={field: ""},
            )
        assert field in exc.value.message_dict
    assert not Letter.objects.get(pk=letter.pk).is_sent


def test_sending_saves_the_editors_text_and_freezes_it_in_one_call(case, counsel):
    letter = _draft(case, counsel)
    sent = letters.letter_send(
        letter_id=letter.pk,
        user=counsel,
        method="fax",
        sent_on=TODAY,
        changes={"body": "Typed just before sending."},
    )
    assert sent.is_sent and sent.body == "Typed just before sending."


def test_a_letter_that_changed_since_it_was_shown_is_not_sent(case, counsel):
    letter = _draft(case, counsel)
    _, shown = letters.letter_pdf_as_sent(letter=Letter.objects.get(pk=letter.pk))
    letters.letter_draft_update(letter_id=letter.pk, user=counsel, body="Changed in another tab.")
    with pytest.raises(ValidationError) as exc:
        letters.letter_send(
            letter_id=letter.pk, user=counsel, method="fax", sent_on=TODAY, expected_sha256=shown
        )
    assert "sha256" in exc.value.message_dict
    assert not Letter.objects.get(pk=letter.pk).is_sent
    _, now = letters.letter_pdf_as_sent(letter=Letter.objects.get(pk=letter.pk))
    sent = letters.letter_send(
        letter_id=letter.pk, user=counsel, method="fax", sent_on=TODAY, expected_sha256=now
    )
    assert sent.sha256 == now


def test_the_preview_prints_the_posted_text_without_saving(case, counsel, client):
    client.force_login(counsel)
    letter = _draft(case, counsel)
    data = {f: getattr(letter, f) for f in letters.EDITABLE_FIELDS} | {"body": "On screen only."}
    response = client.post(reverse("correspondence:letter_preview", args=[letter.pk]), data)
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        ).split()
    )
    assert "On screen only." in text and letter.subject in text
    assert Letter.objects.get(pk=letter.pk).body != "On screen only."


def _keys(case, user):
    panel = selectors.case_panel(case=type(case).objects.get(pk=case.pk), user=user)
    return [t.key for t in panel["templates"]]


def test_the_next_letter_the_case_needs_is_offered_first(case, counsel):
    assert _keys(case, counsel)[:2] == ["notice-sib", "notice-ice"]
    assert _keys(case, counsel)[0] != "copy-governor"
    _draft(case, counsel, "notice-sib")
    assert _keys(case, counsel)[0] == "notice-ice"  # the SIB's is drafted already
    copy_sent(case, counsel, "sib", TODAY - datetime.timedelta(days=20))
    assert _keys(case, counsel)[0] == "notice-ice"
    copy_sent(case, counsel, "ice", TODAY - datetime.timedelta(days=20))
    assert _keys(case, counsel)[:2] == ["follow-up", "copy-attorney-general"]
