"""The admin's page of a received email: its .eml is private, linked through the view that serves it."""

import uuid
from email.message import EmailMessage

import pytest
from django.urls import reverse

from correspondence.mail.inbound import mail_receive
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_page_of_a_received_email_opens_and_links_its_eml(client):
    message = EmailMessage()
    message["From"] = "someone@example.org"
    message["To"] = "nobody@example.org"
    message["Subject"] = "Held for an admin"
    message["Message-ID"] = f"<{uuid.uuid4()}@example.org>"
    message.set_content("Which case is this about?")
    row = mail_receive(raw=message.as_bytes(), source="pipe")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:correspondence_incomingmail_change", args=[row.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Held for an admin" in body
    assert f'href="{row.get_absolute_url()}"' in body
