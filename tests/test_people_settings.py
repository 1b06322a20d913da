"""The account settings page: API tokens (shown once, stored hashed), the JSON export,
account deletion; and bearer-token lookup for the write API."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from dailypapers.accounts.models import ApiToken, hash_token
from dailypapers.accounts.tokens import user_for_token
from dailypapers.papers.models import FeedEntry
from tests.factories import PASSWORD, make_entry, make_paper

pytestmark = pytest.mark.django_db


def test_settings_page_needs_a_log_in(client):
    response = client.get(reverse("people:settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_settings_page_links_to_email_and_password_management(client, alice):
    client.force_login(alice)
    text = client.get(reverse("people:settings")).content.decode()
    assert reverse("account_email") in text and reverse("account_change_password") in text
    assert reverse("people:export") in text


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(client, alice):
    client.force_login(alice)
    response = client.post(reverse("people:token-create"), {"name": "my script"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["token"]
    assert token.startswith("dp_") and len(token) > 40
    assert token in response.content.decode()

    row = ApiToken.objects.get(user=alice)
    assert row.name == "my script"
    assert row.key_hash == hash_token(token)
    # No column holds the token itself.
    for field in ApiToken._meta.concrete_fields:
        assert getattr(row, field.attname) != token
    assert token.startswith(row.prefix) and len(row.prefix) < len(token)

    # Never again: the settings page shows the prefix only.
    text = client.get(reverse("people:settings")).content.decode()
    assert "my script" in text and f"{row.prefix}…" in text
    assert token not in text
    assert user_for_token(token) == alice


def test_token_creation_is_a_post(client, alice):
    client.force_login(alice)
    assert client.get(reverse("people:token-create")).status_code == 405
    assert not ApiToken.objects.exists()


def test_a_too_long_token_name_is_an_error_on_the_form(client, alice):
    client.force_login(alice)
    response = client.post(reverse("people:token-create"), {"name": "x" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoked_tokens_are_refused(client, alice):
    row, token = ApiToken.objects.create_token(alice, "old")
    client.force_login(alice)
    response = client.post(reverse("people:token-revoke", args=[row.pk]), follow=True)
    assert "Token revoked" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert user_for_token(token) is None


def test_nobody_revokes_someone_elses_token(client, alice, bob):
    row, token = ApiToken.objects.create_token(alice)
    client.force_login(bob)
    response = client.post(reverse("people:token-revoke", args=[row.pk]), follow=True)
    assert "No such token." in response.content.decode()
    assert user_for_token(token) == alice


def test_tokens_of_inactive_users_and_unknown_tokens_are_refused(alice):
    _, token = ApiToken.objects.create_token(alice)
    assert user_for_token(token) == alice
    assert user_for_token(token + "x") is None
    assert user_for_token("") is None
    assert user_for_token(None) is None
    alice.is_active = False
    alice.save()
    assert user_for_token(token) is None


def test_token_use_is_recorded_at_most_once_a_minute(alice):
    row, token = ApiToken.objects.create_token(alice)
    user_for_token(token)
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None
    user_for_token(token)
    row.refresh_from_db()
    assert row.last_used_at == first
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - dt.timedelta(minutes=5))
    user_for_token(token)
    row.refresh_from_db()
    assert row.last_used_at > first - dt.timedelta(minutes=1)


def test_export_holds_the_account_submissions_and_each_apps_part(client, alice, bob):
    entry = make_entry("2025-01-02", paper=make_paper(title="Mine"), submitted_by=alice, upvotes=3)
    make_entry("2025-01-03", paper=make_paper(title="Bob's"), submitted_by=bob)
    ApiToken.objects.create_token(alice, "script")
    client.force_login(alice)

    response = client.get(reverse("people:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert 'attachment; filename="dailypapers-alice.json"' == response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["username"] == "alice"
    assert data["email"] == "alice@example.org"
    assert dt.datetime.fromisoformat(data["date_joined"]) == alice.date_joined
    assert [s["arxiv_id"] for s in data["submitted"]] == [entry.paper.arxiv_id]
    assert data["submitted"][0]["title"] == "Mine" and data["submitted"][0]["upvotes"] == 3
    assert [t["name"] for t in data["api_tokens"]] == ["script"]
    assert "key_hash" not in json.dumps(data)
    for app in ("community", "discussion", "collections"):
        assert isinstance(data[app], dict)


def test_export_needs_a_log_in(client):
    assert client.get(reverse("people:export")).status_code == 302


def test_deleting_the_account_needs_the_password(client, alice):
    client.force_login(alice)
    response = client.post(reverse("people:delete"), {"password": "wrong"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert get_user_model().objects.filter(pk=alice.pk).exists()
    assert client.get(reverse("people:delete")).status_code == 405


def test_deleting_the_account_removes_the_user_and_keeps_their_submissions_anonymous(client, alice):
    entry = make_entry("2025-01-02", submitted_by=alice)
    _, token = ApiToken.objects.create_token(alice)
    client.force_login(alice)

    response = client.post(reverse("people:delete"), {"password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Your account and its data are deleted." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="alice").exists()
    assert user_for_token(token) is None
    entry.refresh_from_db()
    assert entry.submitted_by is None
    assert FeedEntry.objects.filter(pk=entry.pk).exists()
    assert client.get(reverse("people:profile", args=["alice"])).status_code == 404
