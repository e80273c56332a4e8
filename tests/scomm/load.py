"""
What the fault tests put the private stack (tests/scomm/stack.py) through: a
few visitors at about ten requests a second each, signed out and signed in,
one of them writing, and the count of what each got and what was mailed.
"""

import datetime
import itertools
import re
import threading
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

import requests

from .stack import HTTPS, Stack

FOLLOW_NUMBERS = itertools.count(1)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The kinds of public event a follower is told of (public.services.NOTIFIED_KINDS).
NOTIFIED = ["stage", "delivery", "correspondence", "activation", "schedule", "reminder"]


def today() -> str:
    return datetime.datetime.now(zoneinfo.ZoneInfo("America/New_York")).date().isoformat()


class Visitor:
    """One browser: its cookies kept by hand (the site's cookies are Secure, behind HTTPS)."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.origin = f"https://127.0.0.1:{stack.web_port}"
        self.cookies: dict[str, str] = {}
        self.http = requests.Session()
        self.http.trust_env = False

    def request(self, method: str, path: str, data=None) -> requests.Response:
        headers = {**HTTPS, "Referer": self.origin + path, "Origin": self.origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.http.cookies.clear()
        response = self.http.request(
            method, self.stack.url(path), data=data, headers=headers,
            allow_redirects=False, timeout=30,
        )  # fmt: skip
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def form_token(self, path: str) -> str:
        response = self.request("GET", path)
        found = TOKEN.search(response.text)
        return found.group(1) if found else self.cookies.get("csrftoken", "")

    def sign_in(self, username: str, password: str) -> None:
        token = self.form_token("/accounts/login/")
        response = self.request(
            "POST", "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )  # fmt: skip
        assert response.status_code == 302, f"sign-in answered {response.status_code}"


@dataclass
class Tally:
    """Every answer, by what was asked; the writes the site acknowledged."""

    answers: list = field(default_factory=list)  # (seconds since start, kind, path, status)
    moves_acknowledged: int = 0
    writes: list = field(default_factory=list)  # (seconds since start, action, status, Location)
    follows_acknowledged: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, started: float, kind: str, path: str, status) -> None:
        with self.lock:
            self.answers.append((time.monotonic() - started, kind, path, status))

    def failures(self, kinds=None) -> list:
        """Answers that were a server error or no answer at all."""
        return [
            a for a in self.answers
            if (kinds is None or a[1] in kinds) and (not isinstance(a[3], int) or a[3] >= 500)
        ]  # fmt: skip


class Load:
    """Four visitors in threads until stopped: pages, the API, a signed-in reader, a writer."""

    PAUSE = 0.1  # about ten requests a second each

    def __init__(self, stack: Stack):
        self.stack = stack
        self.tally = Tally()
        self.stopping = threading.Event()
        self.threads = []
        self.started = time.monotonic()

    def __enter__(self):
        case = self.stack.seed["case"]
        reader, writer = Visitor(self.stack), Visitor(self.stack)
        reader.sign_in(self.stack.seed["mover"], self.stack.seed["password"])
        writer.sign_in(self.stack.seed["mover"], self.stack.seed["password"])
        plans = [
            ("page", Visitor(self.stack), ["/", f"/cases/{case}/", "/map/", "/data/"]),
            ("api", Visitor(self.stack), ["/api/cases/", "/feeds/events.atom", "/cases.csv"]),
            ("signed-in", reader, [f"/cases/{case}/", "/cases/", "/reminders/", "/"]),
        ]
        for kind, visitor, paths in plans:
            self._thread(self._reads, kind, visitor, paths)
        self._thread(self._writes, writer, Visitor(self.stack))
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)

    def _thread(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _ask(self, kind, visitor, method, path, data=None):
        try:
            response = visitor.request(method, path, data)
        except requests.RequestException as exc:
            self.tally.add(self.started, kind, path, type(exc).__name__)
            return None
        self.tally.add(self.started, kind, path, response.status_code)
        return response

    def _reads(self, kind, visitor, paths):
        i = 0
        while not self.stopping.is_set():
            self._ask(kind, visitor, "GET", paths[i % len(paths)])
            i += 1
            time.sleep(self.PAUSE)

    def _writes(self, staff: Visitor, anonymous: Visitor):
        """The case moved back and forth (each move a public event), and now and then a follow."""
        case = self.stack.seed["case"]
        actions = ["request_meeting", "cancel_meeting"]
        # The first move is the one the case's stage allows: a move to the
        # stage the case is already in is taken as done and writes nothing.
        stage = self.stack.scalar("SELECT stage FROM optouts_optoutrequest WHERE id = %s", case)
        i = 1 if stage == "meeting_requested" else 0
        rounds = 0
        while not self.stopping.is_set():
            rounds += 1
            page = self._ask("signed-in", staff, "GET", f"/cases/{case}/")
            token = TOKEN.search(page.text).group(1) if page is not None and page.ok else ""
            for action in (actions[i % 2], actions[(i + 1) % 2]):
                data = {
                    "csrfmiddlewaretoken": token,
                    f"{action}-occurred_on": today(),
                    f"{action}-date_precision": "day",
                    f"{action}-asked_by": "ice",
                    f"{action}-reason": "Not stated.",
                }
                path = f"/cases/{case}/act/{action}/"
                response = self._ask("write", staff, "POST", path, data)
                self.tally.writes.append(
                    (
                        round(time.monotonic() - self.started, 2),
                        action,
                        response.status_code if response is not None else None,
                        response.headers.get("Location", "") if response is not None else "",
                    )
                )
                # Saved: the redirect back to the case's page (not to the sign-in page).
                saved = f"/cases/{case}/"
                if (
                    response is not None
                    and response.status_code == 302
                    and response.headers.get("Location", "").split("?")[0].endswith(saved)
                ):
                    self.tally.moves_acknowledged += 1
                    i = actions.index(action) + 1
                    break
                if response is None or response.status_code != 400:
                    break  # an error: the next round reads the case again
            time.sleep(self.PAUSE)
            if rounds % 5 == 0:
                self._follow(anonymous, case)

    def _follow(self, visitor: Visitor, case: int):
        # A new address each time, across every load of the session: asking
        # again for an address already waiting sends a second confirmation.
        email = f"load-{next(FOLLOW_NUMBERS)}@example.net"
        token = visitor.form_token(f"/follow/?case={case}")
        response = self._ask(
            "write", visitor, "POST", "/follow/",
            {"csrfmiddlewaretoken": token, "email": email, "case": str(case)},
        )  # fmt: skip
        if response is not None and response.status_code == 200:
            self.tally.follows_acknowledged.append(email)


def mail_count(stack: Stack) -> dict:
    """
    What should have been mailed by now, from the database, against what the
    SMTP sink accepted: follower notices (each public event of the followed
    county, to each follower), follow confirmations, and reminders.
    """
    seed = stack.seed
    messages = stack.sink.messages()
    by_id = Counter(m["message_id"] for m in messages)
    events = stack.scalar(
        "SELECT count(*) FROM optouts_caseevent e JOIN optouts_optoutrequest r ON r.id = e.request_id"
        " JOIN public_follow f ON f.jurisdiction_id = r.jurisdiction_id AND f.email = %s"
        " WHERE e.is_public AND e.kind = ANY(%s)",
        seed["followers"][0], NOTIFIED,
    )  # fmt: skip
    pending_follows = [
        row[0] for row in stack.sql("SELECT email FROM public_follow WHERE email LIKE 'load-%%'")
    ]
    reminders = stack.scalar(
        "SELECT count(*) FROM reminders_reminder WHERE case_id = ANY(%s) AND status <> 'skipped'",
        seed["drafts"],
    )  # fmt: skip
    to = Counter(m["to"] for m in messages)
    return {
        "expected": events * len(seed["followers"]) + len(pending_follows) + reminders,
        "delivered": sum(to[a] for a in seed["followers"])
        + sum(to[a] for a in pending_follows)
        + to[seed["reminded"]],
        "doubled": sum(n - 1 for n in by_id.values() if n > 1),
        "notices": (events * len(seed["followers"]), sum(to[a] for a in seed["followers"])),
        "confirmations": (len(pending_follows), sum(to[a] for a in pending_follows)),
        "reminders": (reminders, to[seed["reminded"]]),
    }


def settle(stack: Stack, timeout: float = 60) -> dict:
    """Wait for every email owed to reach the sink, then a little longer for any double."""
    deadline = time.monotonic() + timeout
    count = mail_count(stack)
    while time.monotonic() < deadline and count["delivered"] < count["expected"]:
        time.sleep(0.5)
        count = mail_count(stack)
    time.sleep(3)
    return mail_count(stack)
