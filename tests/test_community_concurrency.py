"""Votes under concurrency, on the real database: racing requests leave exactly one
vote per person and paper, and counts equal to the votes. Each thread has its own
database connection (committed transactions: transaction=True)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dailypapers.community import services
from dailypapers.community.models import Upvote
from dailypapers.papers.models import FeedEntry
from tests.factories import make_entry, make_paper, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(n, work, workers=None):
    """Run work(i) for i in range(n) from `workers` threads started at once."""
    workers = workers or n
    barrier = threading.Barrier(min(workers, n))

    def task(i):
        try:
            if i < workers:
                barrier.wait(timeout=30)
            return work(i)
        finally:
            connections.close_all()  # this thread's connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, range(n)))


def test_twenty_parallel_upvotes_by_one_user_leave_one_vote(shared_memory_sqlite):
    user = make_user("alice")
    entry = make_entry(timezone.localdate(), upvotes=5, imported_upvotes=5)
    url = reverse("community:upvote", kwargs={"arxiv_id": entry.paper.arxiv_id})

    def vote(_):
        client = Client()
        client.force_login(user)
        return client.post(url, {"action": "up"}, HTTP_ACCEPT="application/json").json()

    answers = run_together(20, vote)
    assert all(a == {"voted": True, "upvotes": 6} for a in answers)
    assert Upvote.objects.filter(user=user).count() == 1
    assert FeedEntry.objects.get().upvotes == 6


def test_two_hundred_users_voting_at_once_are_all_counted(shared_memory_sqlite):
    users = [make_user(f"user{i}") for i in range(200)]
    paper = make_paper()
    first = make_entry(timezone.localdate(), upvotes=0, paper=paper)
    again = make_entry("2026-01-05", upvotes=7, imported_upvotes=7, paper=paper)

    # Everyone votes twice at once and some take it back: the count still matches the rows.
    def vote(i):
        user = users[i % 200]
        services.set_vote(user, paper, True)
        if i % 5 == 0:
            services.set_vote(user, paper, False)

    run_together(400, vote, workers=16)
    votes = Upvote.objects.filter(paper=paper).count()
    assert votes == 160
    assert FeedEntry.objects.get(pk=first.pk).upvotes == votes
    assert FeedEntry.objects.get(pk=again.pk).upvotes == 7 + votes


def test_parallel_toggles_never_break_the_count(shared_memory_sqlite):
    user = make_user("bob")
    entry = make_entry(timezone.localdate())
    run_together(20, lambda i: services.toggle_vote(user, entry.paper))
    assert FeedEntry.objects.get().upvotes == Upvote.objects.count() <= 1
