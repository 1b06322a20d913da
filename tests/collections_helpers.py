"""Personas and builders for the collections tests: an owner (olivia), another member
(mark), staff (stella), each a real account in the test database."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dailypapers.collections import services


def make_user(username, **fields):
    return get_user_model().objects.create_user(username, f"{username}@example.org", "pw-not-used", **fields)


@pytest.fixture
def olivia(db):
    return make_user("olivia")


@pytest.fixture
def mark(db):
    return make_user("mark")


@pytest.fixture
def stella(db):
    return make_user("stella", is_staff=True)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def olivia_client(olivia):
    return client_for(olivia)


@pytest.fixture
def mark_client(mark):
    return client_for(mark)


@pytest.fixture
def stella_client(stella):
    return client_for(stella)


def make_collection(owner, name="Reading list", public=False, papers=(), description=""):
    collection = services.create_collection(owner, name, description=description, public=public)
    for paper in papers:
        services.add_paper(owner, paper.arxiv_id, collection=collection)
    return collection


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []
