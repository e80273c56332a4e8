import datetime
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from correspondence import letters, log
from correspondence.models import Correspondence, Letter, LetterTemplate
from optouts.models import OptOutRequest
from tests.correspondence.conftest import tiny_pdf, upload

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today


def _draft(case, user, key="notice-ice"):
    return letters.letter_draft_create(case_id=case.pk, user=user, template_key=key)


def _sent(case, user, key="notice-ice"):
    letter = _draft(case, user, key)
    return letters.letter_send(letter_id=letter.pk, user=user, method="letter", sent_on=TODAY())


def _entry(case, user, *, public, files=()):
    return log.correspondence_record(
        case_id=case.pk,
        user=user,
        direction="in",
        method="phone",
        occurred_on=TODAY(),
        sender="ICE",
        recipient="Sheriff",
        summary=f"{'Public' if public else 'Private'} call.",
        is_public=public,
        files=list(files),
    )


@pytest.fixture
def public_case(case):
    """A case past its draft: public, as every case but a draft is."""
    OptOutRequest.objects.filter(pk=case.pk).update(stage="notice_sent")
    case.refresh_from_db()
    return case


@pytest.fixture
def who(client, staff, counsel, outsider, admin_user):
    def login(name):
        client.logout()
        user = {
            "anonymous": None,
            "staff": staff,
            "counsel": counsel,
            "outsider": outsider,
            "admin": admin_user,
        }[name]
        if user:
            client.force_login(user)
        return client

    return login


@pytest.mark.parametrize(
    "name,seen",
    [("anonymous", 404), ("outsider", 404), ("staff", 200), ("counsel", 200), ("admin", 200)],
)
def test_a_draft_is_seen_only_by_staff_and_counsel_of_the_jurisdiction_and_admins(
    public_case, staff, who, name, seen
):
    case = public_case
    letter = _draft(case, staff)
    client = who(name)
    assert client.get(letter.get_absolute_url()).status_code == seen
    assert client.get(reverse("correspondence:letter_pdf", args=[letter.pk])).status_code == seen
    panel = client.get(case.get_absolute_url()).content.decode()
    assert (letter.subject in panel) == (seen == 200)


@pytest.mark.parametrize(
    "name,status",
    [("anonymous", 404), ("outsider", 404), ("staff", 302), ("counsel", 302), ("admin", 302)],
)
def test_writes_need_staff_or_counsel_of_the_jurisdiction(case, staff, who, name, status):
    """The case is a draft: to anyone but its people it does not exist (a 404, as its page)."""
    letter = _draft(case, staff)
    client = who(name)
    template = LetterTemplate.objects.get(key="follow-up")
    assert (
        client.post(
            reverse("correspondence:letter_create", args=[case.pk]), {"template": template.pk}
        ).status_code
        == status
    )
    data = {f: getattr(letter, f) for f in letters.EDITABLE_FIELDS}
    data["body"] = f"Edited by {name}."
    assert (
        client.post(reverse("correspondence:letter_edit", args=[letter.pk]), data).status_code
        == status
    )
    assert (
        client.post(
            reverse("correspondence:correspondence_create", args=[case.pk]),
            {
                "direction": "in",
                "method": "phone",
                "occurred_on": TODAY(),
                "sender": "ICE",
                "recipient": "Us",
                "summary": "Call",
                "is_public": "on",
            },
        ).status_code
        == status
    )
    letter.refresh_from_db()
    assert (letter.body == f"Edited by {name}.") == (status == 302)
    assert Correspondence.objects.exists() == (status == 302)


@pytest.mark.parametrize("name", ["anonymous", "outsider"])
def test_what_others_may_see_but_not_change_is_a_403_and_a_draft_letter_a_404(
    public_case, staff, who, name
):
    case = public_case
    sent = _sent(case, staff)
    draft = _draft(case, staff, "follow-up")
    entry = _entry(case, staff, public=True)
    client = who(name)
    template = LetterTemplate.objects.get(key="follow-up")
    edits = {f: getattr(draft, f) for f in letters.EDITABLE_FIELDS} | {"body": "Forged"}
    email = {"email-to": "ice@example.org", "email-body": "Forged"}
    expected = [
        ("letter_create", case.pk, {"template": template.pk}, 403),
        ("letter_edit", sent.pk, edits, 403),
        ("letter_delete", sent.pk, {}, 403),
        ("letter_send", sent.pk, edits, 403),
        ("letter_email", sent.pk, email, 403),
        ("correspondence_publish", entry.pk, {}, 403),
        ("letter_edit", draft.pk, edits, 404),
        ("letter_delete", draft.pk, {}, 404),
        ("letter_send", draft.pk, edits, 404),
        ("letter_email", draft.pk, email, 404),
    ]
    for view, pk, data, status in expected:
        url = reverse(f"correspondence:{view}", args=[pk])
        assert client.post(url, data).status_code == status, view
    assert Letter.objects.count() == 2
    assert Letter.objects.get(pk=draft.pk).body != "Forged"


def test_each_letter_write_says_what_it_did_or_why_not(case, counsel, client):
    client.force_login(counsel)
    create = reverse("correspondence:letter_create", args=[case.pk])
    refused = client.post(create, {"template": ""})
    assert refused.url == case.get_absolute_url() + "#letters"
    assert "Choose one of the letter templates." in client.get(refused.url).content.decode()
    template = LetterTemplate.objects.get(key="follow-up")
    created = client.post(create, {"template": template.pk}, follow=True)
    assert "Draft created." in created.content.decode()
    letter = Letter.objects.get()
    data = {f: getattr(letter, f) for f in letters.EDITABLE_FIELDS} | {"body": "Plain words."}
    saved = client.post(reverse("correspondence:letter_edit", args=[letter.pk]), data)
    assert saved.url == letter.get_absolute_url()
    assert "Draft saved." in client.get(saved.url).content.decode()
    deleted = client.post(reverse("correspondence:letter_delete", args=[letter.pk]))
    assert deleted.url == case.get_absolute_url() + "#letters"
    assert "Draft deleted." in client.get(deleted.url).content.decode()
    assert not Letter.objects.exists()
    export = client.post(reverse("correspondence:export_create", args=[case.pk]), {"kind": "x"})
    assert export.url == case.get_absolute_url() + "#letters"
    assert (
        "Choose the PDF case file or the ZIP of originals."
        in client.get(export.url).content.decode()
    )


def test_a_sent_letter_cannot_be_deleted_and_says_so_on_its_page(case, counsel, client):
    letter = _sent(case, counsel)
    client.force_login(counsel)
    response = client.post(reverse("correspondence:letter_delete", args=[letter.pk]))
    assert response.url == letter.get_absolute_url()
    assert "cannot be changed" in client.get(response.url).content.decode()
    assert Letter.objects.filter(pk=letter.pk).exists()


def test_the_public_sees_sent_letters_with_their_hash_and_the_frozen_pdf(case, staff, client):
    letter = _sent(case, staff)
    _sent(case, staff, "notice-sib")  # both copies sent: the case is public
    page = client.get(letter.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert letter.sha256 in body
    assert 'id="letter-edit"' not in body
    pdf = client.get(reverse("correspondence:letter_pdf", args=[letter.pk]))
    assert hashlib.sha256(pdf.content).hexdigest() == letter.sha256
    assert pdf["X-Content-SHA256"] == letter.sha256


def test_counsel_cannot_edit_a_sent_letter_through_the_site(case, counsel, client):
    letter = _sent(case, counsel)
    client.force_login(counsel)
    data = {f: getattr(letter, f) for f in letters.EDITABLE_FIELDS} | {"body": "Changed"}
    response = client.post(reverse("correspondence:letter_edit", args=[letter.pk]), data)
    assert response.status_code == 400
    assert "cannot be changed" in response.content.decode()
    assert Letter.objects.get(pk=letter.pk).body != "Changed"


def test_counsel_drafts_edits_and_sends_through_the_pages(case, counsel, client):
    client.force_login(counsel)
    template = LetterTemplate.objects.get(key="notice-ice")
    response = client.post(
        reverse("correspondence:letter_create", args=[case.pk]), {"template": template.pk}
    )
    letter = Letter.objects.get()
    assert response.url == letter.get_absolute_url()
    data = {f: getattr(letter, f) for f in letters.EDITABLE_FIELDS} | {"body": "Bad {{ nope }}"}
    bad = client.post(reverse("correspondence:letter_edit", args=[letter.pk]), data)
    assert bad.status_code == 400
    assert "Unknown placeholder: {{ nope }}" in bad.content.decode()
    data["body"] = "Please remove {{ jurisdiction.name }} from the plan."
    client.post(reverse("correspondence:letter_edit", args=[letter.pk]), data)
    assert (
        "Please remove Harbor County from the plan."
        in client.get(letter.get_absolute_url()).content.decode()
    )
    ready = client.post(reverse("correspondence:letter_send", args=[letter.pk]), data)
    confirm = reverse("correspondence:letter_send_confirm", args=[letter.pk])
    assert ready.url == confirm
    digest = client.get(confirm).context["sha256"]
    future = client.post(
        confirm,
        {"method": "fax", "sent_on": TODAY() + datetime.timedelta(days=2), "sha256": digest},
    )
    assert future.status_code == 400 and "This date is in the future." in future.content.decode()
    client.post(confirm, {"method": "fax", "sent_on": TODAY(), "sha256": digest})
    letter.refresh_from_db()
    assert letter.is_sent and len(letter.sha256) == 64


def test_private_correspondence_and_its_files_are_404_for_the_public(public_case, staff, who):
    case = public_case
    private = _entry(case, staff, public=False, files=[upload("secret.pdf", tiny_pdf("secret"))])
    public = _entry(case, staff, public=True, files=[upload("open.pdf", tiny_pdf("open"))])
    hidden = private.attachments.get()
    shown = public.attachments.get()
    for name, code in [("anonymous", 404), ("outsider", 404), ("counsel", 200), ("admin", 200)]:
        client = who(name)
        assert client.get(hidden.get_absolute_url()).status_code == code
        assert client.get(shown.get_absolute_url()).status_code == 200
        page = client.get(case.get_absolute_url()).content.decode()
        assert ("Private call." in page) == (code == 200)
        assert "Public call." in page
    response = who("counsel").get(hidden.get_absolute_url())
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"


def test_a_bad_upload_shows_its_message_at_the_field(case, staff, client):
    client.force_login(staff)
    response = client.post(
        reverse("correspondence:correspondence_create", args=[case.pk]),
        {
            "direction": "in",
            "method": "fax",
            "occurred_on": TODAY(),
            "sender": "ICE",
            "recipient": "Us",
            "summary": "Fax",
            "is_public": "on",
            "files": [upload("fax.pdf", b"GIF89a-not-really")],
        },
    )
    assert response.status_code == 400
    assert (
        "“fax.pdf” is not a PDF, an image (PNG, JPEG, GIF) or a Word document."
        in response.content.decode()
    )
    assert not Correspondence.objects.exists()
    empty = client.post(
        reverse("correspondence:correspondence_create", args=[case.pk]),
        {
            "direction": "in",
            "method": "fax",
            "occurred_on": TODAY(),
            "sender": "ICE",
            "recipient": "Us",
            "summary": "Fax",
            "files": [upload("blank.pdf", b"")],
        },
    )
    assert "“blank.pdf” is empty." in empty.content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_case_page_keeps_a_fixed_number_of_queries_with_many_letters(
    case, counsel, client, django_assert_max_num_queries
):
    client.force_login(counsel)
    _sent(case, counsel)
    _draft(case, counsel)
    _entry(case, counsel, public=True, files=[upload("a.pdf", tiny_pdf())])
    # Once, for what a process reads on its first page and keeps (the states, the last sweep).
    client.get(case.get_absolute_url())
    few = _count(client, case.get_absolute_url())
    for _ in range(15):
        _draft(case, counsel, "follow-up")
        _entry(
            case,
            counsel,
            public=False,
            files=[upload("b.pdf", tiny_pdf()), upload("c.pdf", tiny_pdf())],
        )
    many = _count(client, case.get_absolute_url())
    assert many == few
    OptOutRequest.objects.filter(pk=case.pk).update(stage="notice_sent")
    client.logout()
    with django_assert_max_num_queries(few):
        assert client.get(case.get_absolute_url()).status_code == 200


def test_the_letter_and_export_pages_keep_a_fixed_number_of_queries(
    case, counsel, client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(counsel)
    letter = _draft(case, counsel)
    for _ in range(10):
        _entry(case, counsel, public=True)
    # the 9th: the recipient's email for "Send by email"; the 10th: the office writing it
    with django_assert_max_num_queries(10):
        client.get(letter.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("correspondence:export_create", args=[case.pk]), {"kind": "zip"}
        )
    export_url = response.url
    with django_assert_max_num_queries(6):
        assert client.get(export_url).status_code == 200
    with django_assert_max_num_queries(6):
        state = client.get(export_url + "status/").json()
    assert state["status"] == "done" and state["progress"] == 100
    with django_assert_max_num_queries(6):
        assert client.get(state["download_url"]).status_code == 200


def test_everything_in_a_draft_case_is_private(case, staff, client):
    """
    No copy of the notice went out (one copy would make the case public):
    even an entry marked public, its file and a letter of the case are not found.
    """
    letter = _draft(case, staff)
    entry = _entry(case, staff, public=True, files=[upload("a.pdf", tiny_pdf())])
    assert client.get(letter.get_absolute_url()).status_code == 404
    assert client.get(entry.attachments.get().get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("correspondence:export_create", args=[case.pk]), {"kind": "pdf"}
        ).status_code
        == 404
    )
    client.force_login(staff)
    assert client.get(letter.get_absolute_url()).status_code == 200
