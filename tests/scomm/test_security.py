import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _assert_strict_headers(url: str, response) -> None:
    policy = response.get("Content-Security-Policy", "")
    # The site's policy, or a stricter one of its own (a file served in a sandbox).
    assert "script-src 'self'" in policy or "default-src 'none'" in policy, (url, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (url, policy)
    assert "frame-ancestors 'none'" in policy or "sandbox" in policy, (url, policy)
    assert response.get("X-Frame-Options") == "DENY", url
    assert response.get("X-Content-Type-Options") == "nosniff", url


def test_every_page_sends_a_content_security_policy_without_inline_script():
    """
    Every URL of the site (the walk of tests/scomm/site.py, aimed at real
    things of a seeded site), as a visitor, as the county's staff, who see
    its drafts and private files, and as an admin, with the admin's pages:
    every answer, pages, files, errors and redirects alike, carries the headers.
    """
    from django.test import Client

    from tests.scomm import site as walk

    site = walk.build()
    visitor, staff, admin = Client(), Client(), Client()
    staff.force_login(site.staff)
    admin.force_login(site.admin)
    seen = {}
    for key in walk.site_patterns():
        for target in ("hidden", "shown"):
            url = walk.url(key, site, target)
            if url is None:
                continue
            for browser in (visitor, staff, admin):
                response = browser.get(url)
                assert response.status_code < 500, (url, response.status_code)
                _assert_strict_headers(url, response)
                seen[response.status_code] = seen.get(response.status_code, 0) + 1
    for key in walk.admin_patterns():
        url = walk.admin_url(key, site)
        response = admin.get(url)
        assert response.status_code < 500, (url, response.status_code)
        _assert_strict_headers(url, response)
    # The walk reached the pages themselves, not only refusals.
    assert seen.get(200, 0) > 150, seen


def test_sign_in_locks_out_after_repeated_failures(client):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            reverse("login"),
            {"username": user.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
        )
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    # Even the right password is refused now, from that address.
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user name from the same address is not locked.
    other = UserFactory()
    response = client.post(
        reverse("login"), {"username": other.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 302


@pytest.mark.parametrize("password", ["password", "12345678", "scomm"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, UserFactory.build(username="sheriff"))


def clean_environ():
    # The browser tests allow Django's ORM inside Playwright's event loop; production never does.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_production_settings_pass_the_deployment_checks_and_are_strict():
    env = {
        **clean_environ(),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "scomm.example.org",
    }
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'scomm.settings');"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.stdout.split() == ["True", "True", "True", "True"], result.stderr
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**clean_environ(), "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
