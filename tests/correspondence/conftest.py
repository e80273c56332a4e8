import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jurisdictions.models import Membership
from tests.correspondence.mail_support import imap_server, smtp_receiver  # noqa: F401
from tests.factories import (
    IceOfficeFactory,
    JurisdictionFactory,
    MembershipFactory,
    OptOutRequestFactory,
    SibFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploads, frozen letters and exports go to this test's own folders."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SCOMM_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return tmp_path


@pytest.fixture
def case(db):
    sib = SibFactory(
        name="Testland Bureau of Criminal Identification",
        mailing_address="1 Capitol Way\nCapital City, QA 00001",
        contact_person="Director Ada Bureau",
    )
    ice = IceOfficeFactory(
        mailing_address="500 12th Street SW\nWashington, DC 20536", contact_person="Marc Rapp"
    )
    ice.states.add(sib.state)
    jurisdiction = JurisdictionFactory(
        state=sib.state,
        name="Harbor County",
        letterhead="Office of the Sheriff\nHarbor County\n1 Main Street",
        signatory_name="Pat Sheriff",
        signatory_title="Sheriff",
    )
    return OptOutRequestFactory(
        jurisdiction=jurisdiction,
        requesting_official="Sheriff Pat Sheriff",
        reasons="Community trust matters more.",
        opened_on=datetime.date.today() - datetime.timedelta(days=10),
    )


@pytest.fixture
def staff(case):
    return MembershipFactory(jurisdiction=case.jurisdiction, role=Membership.Role.STAFF).user


@pytest.fixture
def counsel(case):
    return MembershipFactory(jurisdiction=case.jurisdiction, role=Membership.Role.COUNSEL).user


@pytest.fixture
def outsider(db):
    """Staff of another jurisdiction."""
    return MembershipFactory(role=Membership.Role.STAFF).user


@pytest.fixture
def admin_user(db):
    return UserFactory(is_superuser=True, is_staff=True)


def tiny_pdf(text: str = "attached") -> bytes:
    from correspondence import pdf

    return pdf.render_html_pdf(html=f"<p>{text}</p>")


def tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
