import pytest
from django.urls import reverse

from tests.factories import UserFactory, case_with_notice_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_an_admin_finds_a_case_and_its_timeline(admin_client, django_assert_max_num_queries):
    cases = [case_with_notice_sent() for _ in range(30)]
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("admin:optouts_optoutrequest_changelist"))
    assert response.status_code == 200
    assert str(cases[0].jurisdiction.name) in response.content.decode()
    page = admin_client.get(reverse("admin:optouts_optoutrequest_change", args=[cases[0].pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "The written notice has been sent to both" in body
    history = admin_client.get(reverse("admin:optouts_optoutrequest_history", args=[cases[0].pk]))
    assert history.status_code == 200


def test_the_admin_cannot_move_the_stage_or_delete_a_case(admin_client):
    case = case_with_notice_sent()
    url = reverse("admin:optouts_optoutrequest_change", args=[case.pk])
    body = admin_client.get(url).content.decode()
    assert 'name="stage"' not in body
    assert admin_client.get(reverse("admin:optouts_optoutrequest_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:optouts_optoutrequest_delete", args=[case.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
