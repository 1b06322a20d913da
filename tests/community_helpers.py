"""Personas and helpers for the community tests (upvotes, submissions, moderation).

alice and bob take part; mallory is suspended; sam is staff. Papers are in today's feed
unless a test says otherwise.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from dailypapers.accounts.models import ApiToken, Profile
from tests.factories import make_entry, make_paper


def make_user(username, **fields):
    # No password: hashing one (Argon2) costs ~0.1 s, and tests log in with force_login.
    return get_user_model().objects.create_user(username, f"{username}@example.org", None, **fields)


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def mallory(db):
    user = make_user("mallory")
    Profile.of(user).suspend("spam")
    return user


@pytest.fixture
def sam(db):
    return make_user("sam", is_staff=True)


@pytest.fixture
def featured(db):
    """A paper featured today with 10 upvotes imported from the source."""
    today = timezone.localdate()
    return make_entry(today, upvotes=10, imported_upvotes=10, paper=make_paper(title="Attention is featured"))


def token_for(user):
    _, text = ApiToken.objects.create_token(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def recent(days=1):
    return timezone.now() - dt.timedelta(days=days)
