"""allauth's own limits on sign-up and failed log-ins answer 429 with the site's page."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "signup": "2/h/ip",
        "login_failed": "10/m/ip,3/5m/key",
    }


def test_sign_ups_over_the_limit_answer_429_with_the_message(client, tight_limits):
    for n in range(2):
        response = client.post(
            reverse("account_signup"),
            {
                "username": f"user{n}",
                "email": f"user{n}@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        assert response.status_code == 302
    response = client.post(
        reverse("account_signup"),
        {
            "username": "user9",
            "email": "user9@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many requests" in text and "Please wait a little and try again." in text
    assert 'class="site-header"' in text


def test_failed_log_ins_over_the_limit_are_refused_even_with_the_right_password(
    client, alice, tight_limits
):
    # allauth answers its per-account failed log-in limit on the form (status 200),
    # so the person reads why; the log-in stays refused.
    for _ in range(3):
        assert (
            client.post(
                reverse("account_login"), {"login": "alice", "password": "wrong"}
            ).status_code
            == 200
        )
    response = client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_in_attempts_over_the_address_limit_answer_429(client, alice, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        client.post(reverse("account_login"), {"login": "alice", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "Please wait a little and try again." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_requests_over_the_limit_answer_429(client, alice, settings, mailoutbox):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "reset_password": "20/m/ip,2/m/key",
    }
    for _ in range(2):
        assert (
            client.post(
                reverse("account_reset_password"), {"email": "alice@example.org"}
            ).status_code
            == 302
        )
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response.status_code == 429
    assert len(mailoutbox) == 2
