"""Reads of the correspondence app, each with a fixed number of queries."""

from django.db.models import Prefetch
from django.utils import timezone

from optouts.models import CaseEvent, OptOutRequest
from optouts.permissions import COUNSEL, STAFF, can_act, can_see_private

from .defaults import templates_in_order
from .models import Attachment, CaseExport, Correspondence, Letter, LetterTemplate


def may_write(user, case: OptOutRequest) -> bool:
    """Drafting, editing, sending letters and logging correspondence: staff and counsel, admins."""
    return can_act(user, case.jurisdiction_id, (STAFF, COUNSEL))


def case_letters(*, case: OptOutRequest, include_private: bool) -> list[Letter]:
    letters = Letter.objects.filter(request=case).defer("body")
    if not include_private:
        letters = letters.filter(status=Letter.Status.SENT)
    return list(letters.order_by("letter_date", "id"))


def case_correspondence(*, case: OptOutRequest, include_private: bool) -> list[Correspondence]:
    entries = (
        Correspondence.objects.filter(request=case)
        .select_related("incoming_mail")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    if not include_private:
        entries = entries.filter(is_public=True)
    return list(entries.order_by("occurred_on", "id"))


def case_panel(*, case: OptOutRequest, user) -> dict:
    """The letters and correspondence panel of a case page, as this user may see it."""
    private = can_see_private(user, case.jurisdiction_id)
    writer = may_write(user, case)
    letters = case_letters(case=case, include_private=private)
    return {
        "case": case,
        "letters": letters,
        "entries": case_correspondence(case=case, include_private=private),
        "may_write": writer,
        "may_see_private": private,
        # The next letter the case needs comes first, so it is the one offered.
        "templates": templates_in_order(
            case=case,
            templates=LetterTemplate.objects.filter(is_active=True).only("id", "name", "key"),
            letters=letters,
        )
        if writer
        else [],
    }


def letter_detail(*, pk: int) -> Letter:
    return Letter.objects.select_related(
        "request__jurisdiction__state", "template", "sent_by", "delivery"
    ).get(pk=pk)


def attachment_detail(*, pk: int) -> Attachment:
    return Attachment.objects.select_related("correspondence__request").get(pk=pk)


def export_detail(*, pk) -> CaseExport:
    return CaseExport.objects.select_related("request__jurisdiction__state").get(pk=pk)


def case_file(*, case: OptOutRequest, include_private: bool) -> dict:
    """Everything a case file holds, in date order, for the public or for the jurisdiction."""
    case = (
        OptOutRequest.objects.select_related("jurisdiction__state", "reopens")
        .prefetch_related("deliveries")
        .get(pk=case.pk)
    )
    events = CaseEvent.objects.filter(request=case).select_related("actor")
    if not include_private:
        events = events.filter(is_public=True)
    letters = list(
        Letter.objects.filter(request=case)
        .select_related("request__jurisdiction__state")
        .prefetch_related("request__deliveries")
        .order_by("letter_date", "id")
    )
    if not include_private:
        letters = [letter for letter in letters if letter.is_sent]
    entries = case_correspondence(case=case, include_private=include_private)
    documents_all = [
        {
            "type": "letter",
            "date": letter.sent_on or letter.letter_date,
            "title": f"letter “{letter.subject}”" + ("" if letter.is_sent else " (draft)"),
            "letter": letter,
            "order": (letter.sent_on or letter.letter_date, 0, letter.pk),
        }
        for letter in letters
    ] + [
        {
            "type": "attachment",
            "date": entry.occurred_on,
            "title": f"attachment “{attachment.original_name}”",
            "attachment": attachment,
            "entry": entry,
            "order": (entry.occurred_on, 1, attachment.pk),
        }
        for entry in entries
        for attachment in entry.attachments.all()
    ]
    documents_all.sort(key=lambda item: item["order"])
    return {
        "case": case,
        "jurisdiction": case.jurisdiction,
        "timeline": list(events.order_by("occurred_on", "recorded_at", "id")),
        "letters": letters,
        "correspondence": entries,
        "deliveries": list(case.deliveries.all()),
        "documents_all": documents_all,
        "documents": [
            item
            for item in documents_all
            if item["type"] == "letter" or item["attachment"].kind == Attachment.Kind.PDF
        ],
        "include_private": include_private,
        "generated_at": timezone.now(),
    }
