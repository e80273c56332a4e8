"""
Copies of the notice as evidence: how and when each was sent, with its
tracking number or message ID, and later its receipt (when, who signed, the
proof), through the services and through the case page's forms.
"""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from optouts import services
from optouts.models import CaseEvent, Delivery, DeliveryMethod, Recipient, Stage
from tests.factories import (
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    SibFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return tmp_path


@pytest.fixture
def county():
    jurisdiction = JurisdictionFactory(name="Alameda County")
    SibFactory(state=jurisdiction.state, name="Bureau of Criminal Identification")
    IceOfficeFactory()
    return jurisdiction


@pytest.fixture
def staff(county):
    return MembershipFactory(jurisdiction=county, role="staff").user


@pytest.fixture
def draft(county, staff):
    return services.optout_create(
        jurisdiction=county,
        user=staff,
        requesting_official="Sheriff Ahern",
        requesting_body="sheriff",
        opened_on=days_ago(30),
    )


@pytest.fixture
def certified(draft, staff):
    return services.delivery_record(
        case_id=draft.pk,
        user=staff,
        recipient=Recipient.SIB,
        recipient_name="Bureau of Criminal Identification",
        method=DeliveryMethod.CERTIFIED,
        sent_on=days_ago(20),
        reference="7009 2250 0001 2345 6789",
    )


def proof(content=PDF, name="card.pdf"):
    return SimpleUploadedFile(name, content)


# Through the services


def test_a_certified_copy_is_on_the_timeline_as_sent_with_its_tracking_number(certified):
    event = CaseEvent.objects.filter(kind=CaseEvent.Kind.DELIVERY).get()
    assert event.occurred_on == days_ago(20)
    assert event.summary.startswith(
        "Notice sent to the SIB by certified mail (tracking 7009 2250 0001 2345 6789)"
    )
    assert event.get_kind_display() == "Notice sent"


def test_an_email_copy_names_its_message_id(draft, staff):
    services.delivery_record(
        case_id=draft.pk,
        user=staff,
        recipient=Recipient.ICE,
        recipient_name="ICE Secure Communities",
        method=DeliveryMethod.EMAIL,
        sent_on=days_ago(2),
        reference="<abc@county.example>",
    )
    summary = CaseEvent.objects.get(kind=CaseEvent.Kind.DELIVERY).summary
    assert "Notice sent to ICE by email (message ID <abc@county.example>)" in summary


def test_a_receipt_is_its_own_event_on_the_day_received(certified, staff):
    delivery = services.delivery_receipt_record(
        delivery_id=certified.pk,
        user=staff,
        received_on=days_ago(17),
        received_by="J. Ortiz",
        proof=proof(),
    )
    assert delivery.received_on == days_ago(17)
    assert delivery.received_by == "J. Ortiz"
    assert delivery.receipt_proof_name == "card.pdf"
    assert delivery.receipt_proof.name.startswith("receipts/")
    assert delivery.receipt_proof.name.endswith(".pdf")
    with delivery.receipt_proof.open("rb") as stored:
        assert stored.read() == PDF
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.RECEIPT)
    assert event.occurred_on == days_ago(17)
    assert event.summary.startswith("Received by the SIB; signed or acknowledged by J. Ortiz")
    assert "tracking 7009 2250 0001 2345 6789" in event.summary


def test_the_same_receipt_twice_is_recorded_once(certified, staff):
    for _ in range(2):
        services.delivery_receipt_record(
            delivery_id=certified.pk, user=staff, received_on=days_ago(17), received_by="J. Ortiz"
        )
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.RECEIPT).count() == 1


def test_a_different_receipt_does_not_overwrite_the_first(certified, staff):
    services.delivery_receipt_record(delivery_id=certified.pk, user=staff, received_on=days_ago(17))
    with pytest.raises(ValidationError) as error:
        services.delivery_receipt_record(
            delivery_id=certified.pk, user=staff, received_on=days_ago(15)
        )
    assert "received_on" in error.value.message_dict
    certified.refresh_from_db()
    assert certified.received_on == days_ago(17)


def test_a_receipt_before_the_sent_date_is_refused_and_nothing_written(certified, staff, tmp_path):
    version = certified.request.__class__.objects.get(pk=certified.request_id).version
    with pytest.raises(ValidationError) as error:
        services.delivery_receipt_record(
            delivery_id=certified.pk, user=staff, received_on=days_ago(25), proof=proof()
        )
    assert "before it was sent" in error.value.message_dict["received_on"][0]
    certified.refresh_from_db()
    assert certified.received_on is None and not certified.receipt_proof
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.RECEIPT).exists()
    assert certified.request.__class__.objects.get(pk=certified.request_id).version == version
    assert not list((tmp_path / "private").rglob("*.pdf"))


def test_a_receipt_in_the_future_is_refused(certified, staff):
    with pytest.raises(ValidationError, match="future"):
        services.delivery_receipt_record(
            delivery_id=certified.pk, user=staff, received_on=TODAY + datetime.timedelta(days=1)
        )


@pytest.mark.parametrize(
    "content,name",
    [
        (b"MZ\x90\x00 not a pdf", "card.pdf"),  # an executable named as a PDF
        (b"<html><body>reply</body></html>", "reply.png"),
        (b"GIF89a" + b"\x00" * 20, "card.gif"),  # an image, but not one of the three kinds
        (b"", "empty.pdf"),
    ],
)
def test_a_proof_that_is_not_a_pdf_or_image_is_refused_by_its_content(
    certified, staff, tmp_path, content, name
):
    with pytest.raises(ValidationError) as error:
        services.delivery_receipt_record(
            delivery_id=certified.pk, user=staff, received_on=days_ago(17), proof=proof(content, name)
        )
    assert "proof" in error.value.message_dict
    certified.refresh_from_db()
    assert certified.received_on is None
    assert not (tmp_path / "private" / "receipts").exists() or not any(
        (tmp_path / "private" / "receipts").iterdir()
    )


def test_a_proof_over_the_size_limit_is_refused(certified, staff, settings):
    settings.SCOMM_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="too large"):
        services.delivery_receipt_record(
            delivery_id=certified.pk,
            user=staff,
            received_on=days_ago(17),
            proof=proof(PDF + b"0" * 200),
        )


def test_a_png_scan_is_kept_as_png(certified, staff):
    delivery = services.delivery_receipt_record(
        delivery_id=certified.pk, user=staff, received_on=days_ago(17), proof=proof(PNG, "scan")
    )
    assert delivery.receipt_proof.name.endswith(".png")


def test_a_failed_copy_takes_no_receipt(certified, staff):
    services.delivery_fail(delivery_id=certified.pk, reason="Returned to sender.")
    with pytest.raises(ValidationError, match="never received"):
        services.delivery_receipt_record(
            delivery_id=certified.pk, user=staff, received_on=days_ago(10)
        )


def test_the_database_refuses_a_receipt_before_the_copy_was_sent(certified):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=certified.pk).update(received_on=days_ago(40))


def test_old_first_class_letters_still_read(draft, staff):
    delivery = services.delivery_record(
        case_id=draft.pk,
        user=staff,
        recipient=Recipient.ICE,
        recipient_name="ICE",
        method="letter",
        sent_on=days_ago(5),
    )
    assert delivery.get_method_display() == "Letter (first-class mail)"


# Through the case page


def test_the_notice_form_has_nothing_ticked_or_dated(client, draft, staff):
    client.force_login(staff)
    body = client.get(draft.get_absolute_url()).content.decode()
    assert 'name="sib-include" id="id_sib-include" value="1">' in body
    assert 'name="ice-include" id="id_ice-include" value="1">' in body
    notice_form = body.split('id="notice-form"')[1].split("</form>")[0]
    assert " checked" not in notice_form
    assert 'name="sib-sent_on"' in notice_form
    assert TODAY.isoformat() not in notice_form


def test_a_ticked_copy_without_a_date_is_refused_at_its_field(client, draft, staff):
    client.force_login(staff)
    response = client.post(
        reverse("optouts:notice", args=[draft.pk]),
        {"sib-include": "1", "sib-recipient_name": "Bureau", "sib-method": "certified"},
    )
    assert response.status_code == 400
    assert 'id="id_sib-sent_on_error"' in response.content.decode()
    assert not Delivery.objects.exists()


def test_nothing_ticked_records_nothing(client, draft, staff):
    client.force_login(staff)
    response = client.post(
        reverse("optouts:notice", args=[draft.pk]),
        {"sib-recipient_name": "Bureau", "sib-method": "certified", "sib-sent_on": days_ago(1)},
    )
    assert response.status_code == 400
    assert not Delivery.objects.exists()


def test_the_notice_table_shows_the_tracking_number_and_a_copy_with_no_letter(
    client, certified, staff
):
    client.force_login(staff)
    body = client.get(certified.request.get_absolute_url()).content.decode()
    table = body.split('id="notice-copies"')[1].split("</table>")[0]
    assert "7009 2250 0001 2345 6789" in table
    assert "Certified mail" in table
    assert "no letter on file" in table
    assert "Not yet" in table
    assert "Acknowledged" not in table


def receipt_post(client, delivery, **data):
    form = {
        "receipt-delivery": delivery.pk,
        "receipt-received_on": days_ago(17).isoformat(),
        "receipt-received_by": "J. Ortiz",
        **data,
    }
    return client.post(reverse("optouts:receipt", args=[delivery.request_id]), form)


def test_staff_record_a_receipt_with_its_scanned_card(client, certified, staff):
    client.force_login(staff)
    response = receipt_post(client, certified, **{"receipt-proof": proof(PNG, "card.png")})
    assert response.status_code == 302
    certified.refresh_from_db()
    assert certified.received_on == days_ago(17)
    body = client.get(certified.request.get_absolute_url()).content.decode()
    table = body.split('id="notice-copies"')[1].split("</table>")[0]
    assert "signed by J. Ortiz" in table
    proof_url = reverse("optouts:receipt_proof", args=[certified.request_id, certified.pk])
    assert proof_url in table
    timeline = body.split('id="timeline"')[1]
    assert "Received by the SIB" in timeline
    download = client.get(proof_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG


def test_a_receipt_before_the_sent_date_is_shown_at_its_field(client, certified, staff):
    client.force_login(staff)
    response = receipt_post(client, certified, **{"receipt-received_on": days_ago(25).isoformat()})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_receipt-received_on_error"' in body
    assert "cannot be received before it was sent" in body
    certified.refresh_from_db()
    assert certified.received_on is None


def test_a_proof_that_is_not_a_pdf_or_image_is_shown_at_its_field(client, certified, staff):
    client.force_login(staff)
    fake = SimpleUploadedFile("card.pdf", b"PK\x03\x04 a zip archive")
    response = receipt_post(client, certified, **{"receipt-proof": fake})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_receipt-proof_error"' in body
    assert "not a PDF, a PNG or a JPEG" in body
    certified.refresh_from_db()
    assert certified.received_on is None and not certified.receipt_proof


def test_only_the_jurisdictions_staff_record_a_receipt(client, certified):
    outsider = MembershipFactory(role="staff").user
    client.force_login(outsider)
    response = receipt_post(client, certified)
    assert response.status_code in (403, 404)
    certified.refresh_from_db()
    assert certified.received_on is None


def test_a_proof_is_read_through_its_own_case_only(client, certified, staff):
    services.delivery_receipt_record(
        delivery_id=certified.pk, user=staff, received_on=days_ago(17), proof=proof()
    )
    url = reverse("optouts:receipt_proof", args=[certified.request_id, certified.pk])
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "sandbox" in response["Content-Security-Policy"]
    other = services.optout_create(
        jurisdiction=certified.request.jurisdiction,
        user=staff,
        requesting_official="Sheriff",
        requesting_body="sheriff",
    )
    assert client.get(reverse("optouts:receipt_proof", args=[other.pk, certified.pk])).status_code == 404


def test_the_case_page_keeps_its_query_count_with_more_copies(
    client, draft, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    client.get(draft.get_absolute_url())
    for recipient in (Recipient.SIB, Recipient.ICE, Recipient.ATTORNEY_GENERAL):
        services.delivery_record(
            case_id=draft.pk,
            user=staff,
            recipient=recipient,
            recipient_name="Office",
            method=DeliveryMethod.CERTIFIED,
            sent_on=days_ago(3),
            reference=f"70{recipient}",
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(draft.get_absolute_url())
    services.delivery_record(
        case_id=draft.pk,
        user=staff,
        recipient=Recipient.GOVERNOR,
        recipient_name="Governor",
        method=DeliveryMethod.HAND,
        sent_on=days_ago(2),
    )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(draft.get_absolute_url())
    assert Stage.NOTICE_SENT == type(draft).objects.get(pk=draft.pk).stage


def test_the_file_is_stored_under_the_private_root(certified, staff, tmp_path):
    delivery = services.delivery_receipt_record(
        delivery_id=certified.pk, user=staff, received_on=days_ago(17), proof=proof()
    )
    path = delivery.receipt_proof.path
    assert path.startswith(str((tmp_path / "private").resolve()))
    with pytest.raises(ValueError):
        delivery.receipt_proof.url  # noqa: B018


def test_a_proof_upload_is_read_from_its_start(certified, staff):
    upload = SimpleUploadedFile("card.pdf", PDF)
    upload.read(3)
    services.delivery_receipt_record(
        delivery_id=certified.pk, user=staff, received_on=days_ago(17), proof=upload
    )
    certified.refresh_from_db()
    assert io.BytesIO(certified.receipt_proof.read()).read() == PDF
