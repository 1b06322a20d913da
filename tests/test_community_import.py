"""Local votes and comments survive the Hugging Face importer (ingest/loader.py): it
moves only the imported part of the counts."""

import datetime as dt

import pytest

from dailypapers.community import services
from dailypapers.ingest.loader import Loader
from dailypapers.ingest.records import EntryRecord, PaperRecord
from dailypapers.papers.models import FeedEntry

DAY = dt.date(2026, 1, 5)


def load(day=DAY, upvotes=10, num_comments=2, arxiv_id="2501.00042"):
    paper = PaperRecord(arxiv_id=arxiv_id, title="A paper", source="hf")
    submitted = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    loader = Loader()
    loader.flush_entries(
        [EntryRecord(paper, day, submitted, upvotes=upvotes, num_comments=num_comments)]
    )
    return loader


def counts(day=DAY):
    entry = FeedEntry.objects.get(day=day)
    return entry.upvotes, entry.imported_upvotes, entry.num_comments, entry.imported_comments


def test_a_reimport_keeps_local_votes(alice, bob):
    load()
    assert counts() == (10, 10, 2, 2)
    paper = FeedEntry.objects.get().paper
    services.set_vote(alice, paper, True)
    services.set_vote(bob, paper, True)
    assert counts() == (12, 10, 2, 2)
    loader = load()  # the same numbers: nothing to write
    assert loader.entries.counts["unchanged"] == 1 and counts() == (12, 10, 2, 2)
    loader = load(upvotes=15, num_comments=3)  # the source moved on
    assert loader.entries.counts["updated"] == 1
    assert counts() == (17, 15, 3, 3)
    services.set_vote(alice, paper, False)
    load(upvotes=4)
    assert counts() == (5, 4, 2, 2)


def test_a_paper_featured_again_carries_its_local_votes(alice):
    load()
    paper = FeedEntry.objects.get().paper
    services.set_vote(alice, paper, True)
    later = DAY + dt.timedelta(days=3)
    load(day=later, upvotes=3, num_comments=0)
    assert counts(later) == (4, 3, 0, 0)
    assert counts() == (11, 10, 2, 2)
    services.set_vote(alice, paper, False)
    assert (counts()[0], counts(later)[0]) == (10, 3)


@pytest.mark.parametrize("import_twice", [False, True])
def test_imported_entries_start_with_the_sources_counts(db, import_twice):
    load(upvotes=7, num_comments=1)
    if import_twice:
        load(upvotes=7, num_comments=1)
    assert counts() == (7, 7, 1, 1)
