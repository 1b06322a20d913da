"""Personas and helpers for the accounts tests: alice (a member), bob (another member),
staff (a moderator). Accounts are made as allauth would leave them after sign-up and
verification."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

PASSWORD = "correct horse battery staple"


def make_user(username, *, staff=False, password=PASSWORD, verified=True):
    user = get_user_model().objects.create_user(
        username, email=f"{username}@example.org", password=password, is_staff=staff
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def staff(db):
    return make_user("moderator", staff=True)


def link_in(message):
    """The first http(s) link in an email's text body."""
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)
