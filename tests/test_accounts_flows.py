"""Sign-up, email verification, log-in, log-out and password reset through allauth,
in the site's own layout; mail goes to Django's locmem outbox."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.accounts_helpers import link_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_sign_up_sends_a_verification_email_whose_link_verifies_and_then_log_in_works(
    client, mailoutbox
):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "carol",
            "email": "carol@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(username="carol")
    assert user.password.startswith("argon2$")
    # Verification is mandatory: not logged in until the address is confirmed.
    assert "_auth_user_id" not in client.session

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["carol@example.org"]
    assert mail.subject.startswith("[dailypapers] ")
    confirm = path_of(link_in(mail))

    page = client.get(confirm)
    assert page.status_code == 200
    assert b"carol@example.org" in page.content
    assert b'class="site-header"' in page.content  # the site's layout, not allauth's bare one
    client.post(confirm)
    assert user.emailaddress_set.get().verified

    client.logout()
    response = client.post(reverse("account_login"), {"login": "carol", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def sign_up(client, username="carol"):
    return client.post(
        reverse("account_signup"),
        {
            "username": username,
            "email": f"{username}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )


def test_confirming_the_address_after_signing_up_logs_the_new_member_in(client, mailoutbox):
    sign_up(client)
    assert "_auth_user_id" not in client.session
    response = client.post(path_of(link_in(mailoutbox[0])), follow=True)
    user = get_user_model().objects.get(username="carol")
    assert user.emailaddress_set.get().verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert b"carol" in response.content  # the header shows who is logged in


def test_account_emails_greet_with_the_sites_name_not_its_host(client, mailoutbox, settings):
    sign_up(client)
    body = mailoutbox[0].body
    assert body.splitlines()[0] == "Hello from dailypapers!"  # not the request's host
    assert "Thank you for using dailypapers!" in body
    settings.SITE_NAME = "Lab Papers"
    settings.SITE_URL = "https://papers.example.org"
    client.post(reverse("account_reset_password"), {"email": "carol@example.org"})
    body = mailoutbox[-1].body
    assert body.startswith("Hello from Lab Papers!") and "Thank you for using Lab Papers!" in body
    assert "papers.example.org" in body


def test_with_the_console_email_backend_the_pages_say_where_the_email_is(client, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    page = sign_up(client).content.decode()
    assert "printed on the server’s console" in page and "spam folder" not in page
    assert "Hello from dailypapers!" in capsys.readouterr().out  # where the page says it is
    page = client.post(
        reverse("account_reset_password"), {"email": "carol@example.org"}, follow=True
    )
    assert "printed on the server’s console" in page.content.decode()


def test_with_a_real_email_backend_the_pages_say_to_look_in_the_inbox(client, mailoutbox):
    page = sign_up(client).content.decode()
    assert "spam folder" in page and "console" not in page


def test_logging_in_before_verifying_sends_the_email_again_instead(client, mailoutbox):
    make_user("dave", verified=False)
    response = client.post(reverse("account_login"), {"login": "dave", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mailoutbox) == 1


def test_sign_up_form_errors_are_shown(client, alice):
    response = client.post(
        reverse("account_signup"),
        {
            "username": "alice",
            "email": "new@example.org",
            "password1": "short",
            "password2": "short",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "A user with that username already exists." in text
    assert "too short" in text
    assert 'class="errorlist' in text


def test_log_in_by_email_or_username_and_log_out_by_post_only(client, alice):
    assert (
        client.post(
            reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.session["_auth_user_id"] == str(alice.pk)

    # A GET shows a confirmation form and does not log out.
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert client.session.get("_auth_user_id") == str(alice.pk)

    response = client.post(reverse("account_logout"), follow=True)
    assert "_auth_user_id" not in client.session
    assert b"You have signed out." in response.content


def test_wrong_password_is_refused_with_a_message(client, alice):
    response = client.post(reverse("account_login"), {"login": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, alice, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    reset = path_of(link_in(mailoutbox[0]))

    # allauth moves the key into the session and redirects to a keyless URL.
    form_page = client.get(reset, follow=True)
    assert form_page.status_code == 200
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset
    new = "a different long passphrase"
    response = client.post(path_of(form_url), {"password1": new, "password2": new})
    assert response.status_code == 302

    alice.refresh_from_db()
    assert alice.check_password(new)
    assert alice.password.startswith("argon2$")
    client.logout()
    assert (
        client.post(reverse("account_login"), {"login": "alice", "password": new}).status_code
        == 302
    )


def test_password_reset_for_an_unknown_address_reveals_nothing(client, mailoutbox, alice):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    # allauth mails the address to say there is no account there; nothing about alice.
    assert all("alice" not in m.body for m in mailoutbox)


def test_allauth_pages_render_in_the_site_layout(client, alice):
    for name in ("account_login", "account_signup", "account_reset_password"):
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        text = page.content.decode()
        assert 'class="site-header"' in text and 'class="allauth entrance"' in text, name
        assert "noindex" in text

    client.force_login(alice)
    for name in ("account_email", "account_change_password"):
        page = client.get(reverse(name))
        assert page.status_code == 200, name
        assert 'class="allauth manage"' in page.content.decode(), name


def test_header_shows_log_in_and_sign_up_or_the_username_and_a_log_out_form(client, alice):
    text = client.get(reverse("account_login")).content.decode()
    assert (
        f'href="{reverse("account_login")}"' in text
        and f'href="{reverse("account_signup")}"' in text
    )

    client.force_login(alice)
    text = client.get(reverse("people:settings")).content.decode()
    assert f'href="{reverse("people:profile", args=["alice"])}">alice</a>' in text
    assert f'<form method="post" action="{reverse("account_logout")}">' in text
    assert "Sign up" not in text


def test_a_flash_message_is_not_cached_for_other_anonymous_readers(client, alice):
    from django.test import Client

    from tests.factories import make_entry

    make_entry("2025-01-02")
    Client().get(reverse("papers:home"))  # the anonymous page is now cached
    client.force_login(alice)
    response = client.post(reverse("account_logout"), follow=True)
    assert b"You have signed out." in response.content

    other = Client().get(reverse("papers:home"))
    assert other.status_code == 200
    assert b"You have signed out." not in other.content
    assert b"You have signed out." not in client.get(reverse("papers:home")).content
