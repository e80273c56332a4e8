import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from correspondence import defaults, letters, placeholders
from correspondence.models import FrozenLetterError, Letter, LetterTemplate
from optouts.models import Delivery, Stage

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today


def test_the_default_templates_are_installed_by_the_migration_and_never_overwritten():
    keys = set(LetterTemplate.objects.values_list("key", flat=True))
    assert {
        "notice-sib",
        "notice-ice",
        "copy-attorney-general",
        "copy-governor",
        "follow-up",
        "clarification",
    } <= keys
    LetterTemplate.objects.filter(key="notice-ice").update(body="Edited by an admin.")
    assert defaults.letter_templates_install_defaults() == 0
    assert LetterTemplate.objects.get(key="notice-ice").body == "Edited by an admin."


def test_a_draft_takes_addresses_from_the_directory_and_facts_from_the_case(case, counsel):
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-sib")
    assert letter.status == Letter.Status.DRAFT
    assert letter.recipient == "sib"
    assert letter.recipient_name == "Testland Bureau of Criminal Identification"
    assert "1 Capitol Way" in letter.recipient_address
    assert "Harbor County" in letter.subject
    assert "Dear Director Ada Bureau" in letter.body
    assert "Community trust matters more." in letter.body
    assert "{{ sib." not in letter.body and "{{ jurisdiction.name" not in letter.body
    assert "{{ activation.status }}" in letter.body  # filled when it prints, frozen when sent
    assert letter.signatory_name == "Pat Sheriff"
    ice = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    assert ice.recipient_name == "ICE Secure Communities Program Management Office"
    assert "Marc Rapp" in ice.recipient_address


def test_unknown_placeholders_and_template_tags_are_refused_with_the_list_of_fields():
    with pytest.raises(ValidationError) as exc:
        placeholders.placeholders_check("Dear {{ case.created_by.password }}")
    assert "Unknown placeholder: {{ case.created_by.password }}" in exc.value.messages[0]
    assert "jurisdiction.name" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="Template tags"):
        placeholders.placeholders_check("{% load static %}{% debug %}")
    template = LetterTemplate(
        key="x", name="X", recipient="ice", subject="S", body="{{ settings.SECRET_KEY }}"
    )
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert "body" in exc.value.message_dict


def test_placeholders_in_a_draft_are_filled_when_it_prints(case, counsel):
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    letters.letter_draft_update(
        letter_id=letter.pk, user=counsel, body="Writing for {{ jurisdiction.name }}."
    )
    letter.refresh_from_db()
    assert letters.letter_context(letter=letter)["paragraphs"] == ["Writing for Harbor County."]


def test_sending_freezes_the_pdf_keeps_its_hash_and_records_the_delivery(case, counsel):
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    sent = letters.letter_send(
        letter_id=letter.pk, user=counsel, method="fax", sent_on=TODAY(), reference="FAX-1"
    )
    assert sent.status == Letter.Status.SENT
    with sent.pdf.open("rb") as handle:
        stored = handle.read()
    assert stored.startswith(b"%PDF-")
    assert sent.sha256 == hashlib.sha256(stored).hexdigest()
    assert letters.letter_render_pdf(letter=sent) == stored
    delivery = Delivery.objects.get(pk=sent.delivery_id)
    assert (delivery.recipient, delivery.method, delivery.reference) == ("ice", "fax", "FAX-1")
    case.refresh_from_db()
    assert case.stage == Stage.DRAFT  # the SIB has no copy yet
    sib = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-sib")
    letters.letter_send(letter_id=sib.pk, user=counsel, method="letter", sent_on=TODAY())
    case.refresh_from_db()
    assert case.stage == Stage.NOTICE_SENT


def test_a_sent_letter_can_never_change(case, counsel):
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    sent = letters.letter_send(letter_id=letter.pk, user=counsel, method="letter", sent_on=TODAY())
    digest = sent.sha256
    with pytest.raises(FrozenLetterError, match="cannot be changed"):
        letters.letter_draft_update(letter_id=sent.pk, user=counsel, body="Rewritten")
    with pytest.raises(FrozenLetterError):
        letters.letter_send(letter_id=sent.pk, user=counsel, method="letter", sent_on=TODAY())
    sent.body = "Rewritten behind the service's back"
    with pytest.raises(FrozenLetterError):
        sent.save()
    with pytest.raises(FrozenLetterError):
        Letter.objects.filter(pk=sent.pk).update(body="Bulk rewrite")
    with pytest.raises(FrozenLetterError):
        sent.delete()
    with pytest.raises(FrozenLetterError):
        Letter.objects.filter(pk=sent.pk).delete()
    with pytest.raises(FrozenLetterError):
        letters.letter_draft_delete(letter_id=sent.pk, user=counsel)
    fresh = Letter.objects.get(pk=sent.pk)
    assert fresh.body != "Rewritten" and "Bulk" not in fresh.body
    assert fresh.sha256 == digest


def test_a_letter_cannot_be_sent_in_the_future_and_nothing_is_saved(case, counsel):
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    with pytest.raises(ValidationError) as exc:
        letters.letter_send(
            letter_id=letter.pk,
            user=counsel,
            method="letter",
            sent_on=TODAY() + datetime.timedelta(days=1),
        )
    assert "future" in exc.value.messages[0]
    letter.refresh_from_db()
    assert letter.status == "draft" and not letter.pdf and not letter.sha256
    assert not Delivery.objects.filter(request=case).exists()


def test_a_draft_can_be_deleted(case, counsel):
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="follow-up")
    letters.letter_draft_delete(letter_id=letter.pk, user=counsel)
    assert not Letter.objects.filter(pk=letter.pk).exists()


def test_the_admin_preview_renders_a_template_for_a_case(case, admin_user, client):
    client.force_login(admin_user)
    template = LetterTemplate.objects.get(key="clarification")
    response = client.get(
        f"/admin/correspondence/lettertemplate/{template.pk}/preview/?case={case.pk}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        ).split()
    )
    assert "Office of the County Counsel Harbor County" in text and "Draft" in text
    page = client.get(f"/admin/correspondence/lettertemplate/{template.pk}/change/")
    assert "Preview the saved template" in page.content.decode()
    assert not Letter.objects.exists()


def _letters_changes(monkeypatch) -> list[tuple[str, ...]]:
    from core import pagecache

    calls = []
    original = pagecache.changed

    def record(*kinds):
        if "letters" in kinds:
            calls.append(kinds)
        return original(*kinds)

    monkeypatch.setattr(pagecache, "changed", record)
    return calls


def test_sending_a_letter_renews_the_public_letter_pages_but_a_draft_does_not(
    case, counsel, monkeypatch
):
    calls = _letters_changes(monkeypatch)
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    letters.letter_draft_update(letter_id=letter.pk, user=counsel, subject="Changed")
    assert calls == []
    letters.letter_send(letter_id=letter.pk, user=counsel, method="letter", sent_on=TODAY())
    assert calls == [("letters",)]


def test_public_correspondence_renews_the_public_letter_pages_and_private_does_not(
    case, counsel, monkeypatch
):
    from correspondence import log

    calls = _letters_changes(monkeypatch)
    for is_public in (False, True):
        log.correspondence_record(
            case_id=case.pk,
            user=counsel,
            direction="in",
            method="phone",
            occurred_on=TODAY(),
            sender="ICE",
            recipient="Sheriff",
            summary="A call.",
            is_public=is_public,
        )
        assert calls == ([("letters",)] if is_public else [])


def test_the_template_preview_prints_what_a_draft_would(case, counsel):
    from pypdf import PdfReader

    template = LetterTemplate.objects.get(key="notice-ice")
    preview = letters.letter_template_preview_pdf(template=template, case=case)
    draft = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    drafted = letters.letter_render_pdf(letter=draft)

    def text(content):
        import io

        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)

    assert text(preview) == text(drafted)
    assert "Harbor County" in text(preview)
