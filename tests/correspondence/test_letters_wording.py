"""
Every default letter, as a county would sign it: for a jurisdiction not yet
scheduled, one scheduled, and one already activated, each reads true on the
day it bears, speaks for the right office, and prints on as many pages as a
draft as it does once sent.
"""

import datetime
import io

import pytest
from pypdf import PdfReader

from correspondence import defaults, letters
from jurisdictions.models import IceOffice, Office
from optouts import services as optout_services
from optouts.models import Recipient

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
KEYS = [spec["key"] for spec in defaults.DEFAULT_TEMPLATES]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def _notice_out(case, user, sent_on):
    for recipient in (Recipient.SIB, Recipient.ICE):
        optout_services.delivery_record(
            case_id=case.pk,
            user=user,
            recipient=recipient,
            recipient_name="Office",
            method="letter",
            sent_on=sent_on,
        )


JURISDICTIONS = {
    "unscheduled": {"scheduled_activation": None, "plan_status": "not_scheduled"},
    "scheduled": {"scheduled_activation": TODAY + 60 * DAY, "plan_status": "scheduled"},
    "activated": {
        "scheduled_activation": datetime.date(2010, 6, 8),
        "actual_activation": datetime.date(2010, 6, 8),
        "plan_status": "activated",
    },
}


SCHEDULED = TODAY + 60 * DAY
STATUS = {
    "unscheduled": "ICE has not yet scheduled a date for the activation of Harbor County.",
    "scheduled": "ICE's deployment plan schedules Harbor County for activation on "
    f"{SCHEDULED:%B} {SCHEDULED.day}, {SCHEDULED:%Y}.",
    "activated": "Secure Communities was activated in Harbor County on June 8, 2010.",
}
REQUEST = {
    "unscheduled": "not be scheduled for activation while this request is pending",
    "scheduled": "not be activated while this request is pending",
    "activated": "be deactivated in Harbor County until this request is resolved",
}
RESOLUTION = {
    "unscheduled": "removing Harbor County from the deployment plan",
    "scheduled": "removing Harbor County from the deployment plan",
    "activated": "deactivating Secure Communities in Harbor County",
}
# What each letter must say, beyond where the jurisdiction stands.
SAYS = {
    "notice-sib": lambda state: ["Dear Director Ada Bureau:", RESOLUTION[state]],
    "notice-ice": lambda state: ["Dear Assistant Director Venturella:", REQUEST[state]],
    "copy-attorney-general": lambda state: [
        f"the notice Harbor County sent on {(TODAY - 20 * DAY):%B} {(TODAY - 20 * DAY).day}"
    ],
    "copy-governor": lambda state: ["Dear Governor:"],
    "follow-up": lambda state: ["20 days later", REQUEST[state]],
    "clarification": lambda state: [
        "Dear Assistant Director Venturella:",
        RESOLUTION[state],
        f"answer by {(TODAY + 30 * DAY):%B} {(TODAY + 30 * DAY).day}, {(TODAY + 30 * DAY):%Y}.",
    ],
}
NEVER = ["{{", "(not yet scheduled)", "not yet sent", "Dear Marc Rapp", "before June 8, 2010"]


@pytest.mark.parametrize("state", list(JURISDICTIONS))
def test_every_default_letter_reads_true_and_keeps_its_pages_when_sent(case, counsel, state):
    jurisdiction = case.jurisdiction
    for name, value in JURISDICTIONS[state].items():
        setattr(jurisdiction, name, value)
    jurisdiction.save()
    IceOffice.objects.update(salutation="Dear Assistant Director Venturella:")
    Office.objects.create(
        jurisdiction=jurisdiction,
        kind="county_counsel",
        letterhead="Office of the County Counsel\nHarbor County",
        return_address="2 Court Street, Harbor City",
        signatory_name="Casey Counsel",
        signatory_title="County Counsel",
    )
    _notice_out(case, counsel, TODAY - 20 * DAY)
    for key in KEYS:
        draft = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key=key)
        if not draft.recipient_address:
            letters.letter_draft_update(
                letter_id=draft.pk, user=counsel, recipient_address="State Capitol"
            )
        draft.refresh_from_db()
        drafted = letters.letter_render_pdf(letter=draft)
        text = flat(pdf_text(drafted))
        assert "Draft" in text, key
        for sentence in [STATUS[state], *SAYS[key](state)]:
            assert sentence in text, (key, sentence, text)
        for wrong in NEVER:
            assert wrong not in text, (key, wrong, text)
        if key == "clarification":
            assert "Office of the County Counsel" in text and "Casey Counsel" in text
            assert "Office of the Sheriff" not in text and "Pat Sheriff" not in text
        else:
            assert "Office of the Sheriff" in text and "Pat Sheriff" in text, key

        sent = letters.letter_send(letter_id=draft.pk, user=counsel, method="letter", sent_on=TODAY)
        with sent.pdf.open("rb") as handle:
            frozen = handle.read()
        assert pdf_pages(drafted) == pdf_pages(frozen) == 1, (key, pdf_text(drafted))
        assert "Draft" not in pdf_text(frozen), key
        assert "{{" not in sent.body and STATUS[state] in sent.body, key


def test_a_sent_letter_keeps_what_was_true_the_day_it_went(case, counsel):
    jurisdiction = case.jurisdiction
    jurisdiction.scheduled_activation = None
    jurisdiction.save()
    draft = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="notice-ice")
    assert "{{ activation.status }}" in draft.body  # a draft follows the data until it is sent
    sent = letters.letter_send(letter_id=draft.pk, user=counsel, method="fax", sent_on=TODAY)
    jurisdiction.scheduled_activation = TODAY - 5 * DAY
    jurisdiction.actual_activation = TODAY - 5 * DAY
    jurisdiction.save()
    Office.objects.create(jurisdiction=jurisdiction, kind="sheriff", letterhead="New Sheriff")
    page = letters.letter_context(letter=letters.Letter.objects.get(pk=sent.pk))
    body = " ".join(page["paragraphs"])
    assert STATUS["unscheduled"] in body and "was activated" not in body
    assert page["letterhead_lines"][0] == "Office of the Sheriff"


def test_a_letter_dated_before_the_activation_speaks_of_it_as_scheduled(case, counsel):
    jurisdiction = case.jurisdiction
    jurisdiction.scheduled_activation = jurisdiction.actual_activation = datetime.date(2010, 6, 8)
    jurisdiction.save()
    letter = letters.letter_draft_create(
        case_id=case.pk,
        user=counsel,
        template_key="clarification",
        letter_date=datetime.date(2010, 5, 3),
    )
    text = " ".join(letters.letter_context(letter=letter)["paragraphs"])
    assert "schedules Harbor County for activation on June 8, 2010." in text
    assert "answer by June 2, 2010." in text  # the eve of the activation, within 30 days


@pytest.mark.parametrize(
    "days_to_activation, answer_in_days",
    [(None, 30), (60, 30), (20, 19), (5, 30), (-400, 30)],
)
def test_the_answer_deadline_follows_the_letter_date(case, days_to_activation, answer_in_days):
    from correspondence.placeholders import answer_deadline

    jurisdiction = case.jurisdiction
    jurisdiction.scheduled_activation = (
        None if days_to_activation is None else TODAY + days_to_activation * DAY
    )
    assert answer_deadline(jurisdiction, TODAY) == TODAY + answer_in_days * DAY
