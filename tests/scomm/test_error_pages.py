"""A refusal says why, on the site's own page; a page that is not there, or not public, says so."""

import pytest
from django.urls import reverse

from tests.factories import (
    JurisdictionFactory,
    MembershipFactory,
    UserFactory,
    case_with_notice_sent,
)

pytestmark = pytest.mark.django_db


def test_a_403_names_the_reason_on_the_site_s_page(client):
    case = case_with_notice_sent(jurisdiction=JurisdictionFactory(name="Refusal County"))
    other = MembershipFactory(jurisdiction=JurisdictionFactory(name="Neighbour County")).user
    client.force_login(other)
    response = client.post(reverse("optouts:event", args=[case.pk]), {"summary": "Forged"})
    assert response.status_code == 403
    body = response.content.decode()
    assert '<p id="refusal">You do not act for this jurisdiction.</p>' in body
    assert "ask an administrator" in body


def test_a_404_is_the_site_s_page_and_reveals_nothing(client):
    client.force_login(UserFactory())
    response = client.get("/cases/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not found" in body and "not public" in body
