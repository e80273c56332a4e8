"""
What the case page shows below its title, for one viewer's roles: the facts,
the timeline and the forms of the moves they may make (optouts.views keeps
it, per change of the case, for everyone with the same roles).
"""

from django.utils import timezone

from core import fragments
from jurisdictions.selectors import agreements_among, state_agreement_events

from . import forms, selectors, services, views_moves
from .models import CaseEvent, Recipient, Stage
from .permissions import STAFF, can_act, can_see_private, is_admin, roles_by_jurisdiction
from .stages import RENEWABLE_OUTCOMES
from .views_receipts import awaiting_receipt, receipt_form_for


def notice_forms_for(case, data=None):
    """
    One form per recipient still missing its copy. Only the addressee is
    filled in: nothing is ticked, no method chosen and no date given, so a
    notice is never recorded as sent by a single click with no letter
    behind it.
    """
    sib = getattr(case.jurisdiction.state, "sib", None)
    ice = selectors.ice_office_for(jurisdiction=case.jurisdiction)
    delivered = {d.recipient for d in case.deliveries.all() if d.status != "failed"}
    result = []
    for recipient, office in ((Recipient.SIB, sib), (Recipient.ICE, ice)):
        if recipient in delivered:
            continue
        initial = {"recipient_name": str(office.name) if office else ""}
        result.append(
            {
                "recipient": recipient,
                "label": Recipient(recipient).label,
                "included": bool(data and data.get(f"{recipient}-include")),
                "form": forms.DeliveryForm(
                    data, prefix=recipient, initial=initial, use_required_attribute=False
                ),
            }
        )
    return result


def roles_for(user, case) -> str:
    """What the case page's forms and panels depend on beyond the viewer's scope."""
    if is_admin(user):
        return "admin"
    return ",".join(sorted(roles_by_jurisdiction(user).get(case.jurisdiction_id, ()))) or "none"


def case_page_context(
    request, case, *, opened, bound, notice_forms, event_form, receipt_form, reopen_form
) -> dict:
    """Everything the case page shows below its title, for this user's roles."""
    user = request.user
    may_act = can_act(user, case.jurisdiction_id, (STAFF,))
    may_note = can_see_private(user, case.jurisdiction_id)
    # Only a resolved request is ever renewed.
    renewed_by = (
        selectors.renewal_of(case=case, user=user) if case.stage == Stage.RESOLVED else None
    )
    # The facts and the timeline are the same for everyone who may see the
    # same notes; only the forms (and the letters) around them are this user's.
    summary = fragments.cached_fragment(
        request,
        "optouts/_case_summary.html",
        lambda: {
            "case": case,
            "deliveries": selectors.notice_copies(case=case),
            "missing": services.missing_recipients(case) if case.stage == Stage.DRAFT else [],
            "renewed_by": renewed_by,
            "days_in_stage": case.days_in_stage(),
            "days_until_activation": case.days_until_activation(),
            "counties": selectors.state_counties(case=case) if case.is_state_level else [],
            "partly_sent": _partly_sent(case),
        },
        kinds=("cases", "plan", "letters"),
    )

    def timeline_context() -> dict:
        events = selectors.case_timeline(case=case, user=user)
        activated = case.jurisdiction.actual_activation
        # An activation recorded on the timeline (optouts.services.activation) is shown once.
        if any(e.kind == CaseEvent.Kind.ACTIVATION for e in events):
            activated = None
        # The state's agreement with ICE, read-only among the events by date (never copied).
        placed = agreements_among(
            agreements=state_agreement_events(state_id=case.jurisdiction.state_id),
            dates=[e.occurred_on for e in events],
        )
        for event, agreements in zip(events, placed, strict=False):
            event.agreements_before = agreements
        return {
            "case": case,
            "timeline": events,
            "agreements_after": placed[-1],
            # Where the activation falls among the events (None: not activated).
            "activation_at": sum(e.occurred_on <= activated for e in events) if activated else None,
        }

    timeline = fragments.cached_fragment(
        request, "optouts/_case_timeline.html", timeline_context, kinds=("cases", "plan")
    )
    may_notice = may_act and case.stage == Stage.DRAFT
    may_reopen = (
        may_act
        and case.stage == Stage.RESOLVED
        and case.outcome in RENEWABLE_OUTCOMES
        and renewed_by is None
    )
    return {
        "case": case,
        # The letters' and reminders' panels ask what this user may do.
        "user": user,
        "summary": summary,
        "timeline": timeline,
        "may_act": may_act,
        "may_note": may_note,
        "opened": opened,
        "actions": views_moves.action_forms(case, user, bound, opened=opened),
        "may_notice": may_notice,
        "notice_forms": (notice_forms or notice_forms_for(case))
        if may_notice and opened == "notice"
        else [],
        "awaiting_receipt": may_act and bool(awaiting_receipt(case)),
        "receipt_form": (receipt_form or receipt_form_for(case))
        if may_act and opened == "receipt"
        else None,
        "event_form": event_form
        or (
            forms.EventForm(
                prefix="event",
                initial={
                    "occurred_on": timezone.localdate(),
                    "is_public": True,
                    "date_precision": "day",
                },
            )
            if may_note and opened == "event"
            else None
        ),
        "may_reopen": may_reopen,
        "reopen_form": reopen_form
        or (
            forms.ReopenForm(prefix="reopen", initial={"opened_on": timezone.localdate()})
            if may_reopen and opened == "reopen"
            else None
        ),
        "today": timezone.localdate(),
    }


def _partly_sent(case) -> dict | None:
    """
    For a draft some copy went out of (public as "notice partly sent"): who
    has the notice and whose copy is not recorded, in the SIB's and ICE's names.
    """
    if not case.is_notice_partly_sent:
        return None
    short = {Recipient.SIB: "SIB", Recipient.ICE: "ICE"}
    sent = {d.recipient for d in case.deliveries.all() if d.status != "failed"}
    return {
        "sent": [short[r] for r in short if r in sent],
        "missing": [short[r] for r in short if r not in sent],
    }
