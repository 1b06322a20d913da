"""Small builders for the rows tests need: members, papers, feed entries, collections,
API tokens. The personas made from them (alice, bob, sam, ...) are fixtures in conftest.py."""

import datetime as dt
import functools
import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client

from dailypapers.accounts.models import ApiToken
from dailypapers.collections import services as collections
from dailypapers.papers.models import FeedEntry, Paper, PaperCategory

PASSWORD = "correct horse battery staple"

_ids = itertools.count(1)


def make_paper(arxiv_id=None, **fields):
    number = next(_ids)
    defaults = {
        "title": f"Paper number {number}",
        "abstract": f"Abstract of paper {number}.",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.LG"],
        "primary_category": "cs.LG",
    }
    defaults.update(fields)
    paper = Paper.objects.create(arxiv_id=arxiv_id or f"2501.{number:05d}", **defaults)
    # The rows the importers write next to the category list.
    PaperCategory.objects.bulk_create(
        PaperCategory(paper=paper, category=c) for c in paper.categories
    )
    return paper


@functools.cache
def _hashed(password):
    # Argon2 costs ~0.1 s a hash on purpose: hash each password once per test run, not
    # once per account. Logging in with it still checks the real hash.
    return make_password(password)


def make_user(username, *, password=PASSWORD, verified=True, staff=False, **fields):
    """An account as allauth leaves it after sign-up and email verification: the address
    <username>@example.org (verified unless verified=False), the password PASSWORD
    (password=None: no usable password)."""
    fields.setdefault("is_staff", staff)
    user = get_user_model().objects.create_user(username, f"{username}@example.org", None, **fields)
    if password is not None:
        user.password = _hashed(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def client_for(user):
    """A test client logged in as user."""
    client = Client()
    client.force_login(user)
    return client


def token_for(user):
    """The Authorization header of a new API token of user."""
    _, text = ApiToken.objects.create_token(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def make_collection(owner, name="Reading list", public=False, papers=(), description=""):
    collection = collections.create_collection(owner, name, description=description, public=public)
    for paper in papers:
        collections.add_paper(owner, paper.arxiv_id, collection=collection)
    return collection


def make_member(username):
    """A local account (no password: tests log in with force_login)."""
    User = get_user_model()
    return User.objects.filter(username=username).first() or User.objects.create_user(username)


def make_entry(day, upvotes=0, paper=None, position=0, **fields):
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if fields.get("submitted_by") is not None:
        # As community.services.submit writes a local submission.
        fields.setdefault("submitter_name", fields["submitted_by"].username)
    paper = paper or make_paper()
    submitted = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return FeedEntry.objects.create(
        paper=paper, day=day, upvotes=upvotes, position=position, submitted_at=submitted, **fields
    )
