"""
A worker killed (SIGKILL, the whole prefork group at once) at each step of a
reminder's way out, and in the middle of a case file's build, on the private
production stack (tests/scomm/stack.py): in the end every reminder email
reached the mail server exactly once, and every export finished or failed,
none left "Building".

The worker stops at a named step when started with SCOMM_FAULT_PAUSE
(core/faults.py); in the middle of the mail it is caught by the SMTP sink
holding the message's DATA unanswered.
"""

import time

import pytest

from .conftest import FAULT_TABLE
from .load import Visitor, mail_count, settle
from .stack import wait_until

pytestmark = [pytest.mark.services, pytest.mark.restarts]

# Four of the seed's drafts are the Redis test's; two for each kill here.
STEPS = {
    # Claimed by the sweep and queued, before the send writes anything.
    "reminder-send": 4,
    # The send committed (notifications written, the reminder "sent"), no email yet.
    "reminder-sent": 6,
}


def record(fault: str, mail: dict) -> None:
    FAULT_TABLE.append(
        {
            "fault": fault,
            "emails expected": mail["expected"],
            "delivered": mail["delivered"],
            "doubled": mail["doubled"],
        }
    )


def reminders_of(stack, drafts) -> int:
    return stack.scalar("SELECT count(*) FROM reminders_reminder WHERE case_id = ANY(%s)", drafts)


@pytest.mark.parametrize("step", list(STEPS))
def test_a_worker_killed_at_a_step_of_a_reminder_loses_no_email_and_doubles_none(stack, step):
    start = STEPS[step]
    drafts = stack.seed["drafts"][start : start + 2]
    stack.kill_worker()
    stack.clear_faults()
    stack.start_worker(env={"SCOMM_FAULT_PAUSE": step})
    stack.make_drafts_stale(drafts)
    wait_until(lambda: stack.fault_reached(step), 30, f"the worker at {step}")
    stack.kill_worker()
    stack.clear_faults()
    stack.start_worker()
    mail = settle(stack, timeout=60)
    record(f"worker killed at {step}", mail)
    assert reminders_of(stack, drafts) >= len(drafts)
    assert (mail["delivered"], mail["doubled"]) == (mail["expected"], 0), mail


def test_a_worker_killed_in_the_middle_of_the_mail_loses_no_email_and_doubles_none(stack):
    drafts = stack.seed["drafts"][8:10]
    before = mail_count(stack)
    stack.sink.hold(True)
    try:
        stack.make_drafts_stale(drafts)
        wait_until(stack.sink.holding_one, 30, "a message held in DATA")
        stack.kill_worker()
    finally:
        stack.sink.hold(False)
    stack.start_worker()
    mail = settle(stack, timeout=60)
    record("worker killed mid-SMTP", mail)
    assert mail["reminders"][1] > before["reminders"][1]
    assert (mail["delivered"], mail["doubled"]) == (mail["expected"], 0), mail


def export_status(stack, export_id) -> str:
    return stack.scalar("SELECT status FROM correspondence_caseexport WHERE id = %s", export_id)


def status_page(visitor, export_id) -> str:
    """What the export's page tells the person waiting for it (its status in JSON)."""
    response = visitor.request("GET", f"/letters/exports/{export_id}/status/")
    return response.json().get("status", "") if response.ok else f"HTTP {response.status_code}"


def test_a_worker_killed_while_building_a_case_file_leaves_it_finished_or_failed(stack):
    visitor = Visitor(stack)
    visitor.sign_in(stack.seed["mover"], stack.seed["password"])
    case = stack.seed["case"]
    token = visitor.form_token(f"/letters/case/{case}/export/?kind=pdf")
    response = visitor.request(
        "POST", f"/letters/case/{case}/export/", {"csrfmiddlewaretoken": token, "kind": "pdf"}
    )
    assert response.status_code == 302, response.status_code
    [(export_id,)] = stack.sql(
        "SELECT id FROM correspondence_caseexport WHERE request_id = %s"
        " ORDER BY created_at DESC LIMIT 1",
        case,
    )
    wait_until(
        lambda: export_status(stack, export_id) != "queued", 30, "the build to start", every=0.02
    )
    killed_while = export_status(stack, export_id)
    stack.kill_worker()
    stack.start_worker()
    started = time.monotonic()
    try:
        # Asked as the person waiting asks it, every second: the page may be what
        # notices a build that stopped.
        wait_until(
            lambda: (
                status_page(visitor, export_id)
                and export_status(stack, export_id) in {"done", "failed"}
            ),
            90,
            "the export to end",
            every=1,
        )
    finally:
        FAULT_TABLE.append(
            {
                "fault": f"worker killed building an export ({killed_while})",
                "requests": f"ended {export_status(stack, export_id)} "
                f"after {time.monotonic() - started:.0f} s",
            }
        )
    assert killed_while == "running", "the build ended before the kill could land"
