"""Small builders for papers and feed entries in tests."""

import datetime as dt
import itertools

from dailypapers.papers.models import FeedEntry, Paper, PaperCategory

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
    PaperCategory.objects.bulk_create(PaperCategory(paper=paper, category=c) for c in paper.categories)
    return paper


def make_member(username):
    """A local account (no password: tests log in with force_login)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(username=username).first() or User.objects.create_user(username)


def make_entry(day, upvotes=0, paper=None, position=0, **fields):
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if fields.get("submitted_by") is not None:
        # As community.services.submit writes a local submission.
        fields.setdefault("submitter_name", fields["submitted_by"].username)
    paper = paper or make_paper()
    submitted = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)
    return FeedEntry.objects.create(
        paper=paper, day=day, upvotes=upvotes, position=position, submitted_at=submitted, **fields
    )
