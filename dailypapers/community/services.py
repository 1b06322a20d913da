"""Upvotes, submissions to the daily feed, and staff moderation of papers.

Pages (community/views.py) and the API (api/community.py) both come here; each write
first asks accounts/rules.py:check_participation whether the person may take part.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import timezone

from dailypapers.accounts.rules import (
    Refused,
    check_participation,
    check_staff_powers,
    has_staff_powers,
)
from dailypapers.community.models import Upvote
from dailypapers.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from dailypapers.papers.models import FeedEntry, Paper

# --- Upvotes -------------------------------------------------------------------------------


def votable_paper(arxiv_id):
    """The paper with this id if it can be voted on: visible and featured in the feed
    (votes are counted on feed entries; a paper joins the feed by submission)."""
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Refused("No such paper.", 404)
    if not paper.feed_entries.visible().exists():
        raise Refused("This paper is not in the daily feed; submit it to the feed first.", 404)
    return paper


def has_voted(user, paper):
    return user.is_authenticated and Upvote.objects.filter(user=user, paper=paper).exists()


def voted_paper_ids(user, paper_ids):
    """Which of `paper_ids` `user` has upvoted: one query, for a page of cards."""
    if not user.is_authenticated or not paper_ids:
        return set()
    return set(
        Upvote.objects.filter(user=user, paper_id__in=list(paper_ids)).values_list(
            "paper_id", flat=True
        )
    )


def set_vote(user, paper, on):
    """Make `user`'s upvote of `paper` exist (on) or not; returns (voted, upvotes).

    1. Insert (in a savepoint: the unique constraint refuses a second row, however many
       requests race) or delete the Upvote row.
    2. The database's triggers (community/counters.py) move the paper's feed entries'
       counters by one for each row really inserted or deleted, in the same statement:
       the count always equals the votes, and updated_at changes the feed pages' cache
       keys (papers/selectors.py), so the day pages and trending show the vote on the
       next load.
    `upvotes` is the paper's total over its visible feed entries, as the paper page shows.
    """
    check_participation(user)
    with transaction.atomic():
        if on:
            try:
                with transaction.atomic():
                    Upvote.objects.create(user=user, paper=paper)
            except IntegrityError:
                pass  # already voted (perhaps by a request racing this one)
        else:
            Upvote.objects.filter(user=user, paper=paper).delete()
        total = paper.feed_entries.visible().aggregate(total=Sum("upvotes"))["total"] or 0
    return on, total


def toggle_vote(user, paper):
    return set_vote(user, paper, not has_voted(user, paper))


# --- Submissions ---------------------------------------------------------------------------

# Where new papers are listed, for a refusal of an old one: the next step is a recent paper.
NEW_PAPERS_URL = "https://arxiv.org/list/cs/new"


class SubmitRefused(Refused):
    """A refused submission: `message` names the real reason, `next_steps` are
    (text, URL) links the submit page shows under it (the API answers the message)."""

    def __init__(self, message, status=None, next_steps=()):
        super().__init__(message, status)
        self.next_steps = list(next_steps)


def feed_today():
    """Today's feed day (a calendar day in FEED_TIME_ZONE, which is TIME_ZONE)."""
    return timezone.localdate()


def submissions_today(user):
    return FeedEntry.objects.filter(submitted_by=user, day=feed_today()).count()


def find_paper(text):
    """The paper `text` (an arXiv id or abs/pdf URL) names: from the catalogue, else
    fetched from arXiv's API into it (ingest/arxiv_api.py, as `dailypapers fetch`).

    The fetch runs inside a web request, so it may take SUBMIT_ARXIV_WAIT seconds in all
    (its turn behind other requests to arXiv included): past that the submission is
    refused with a 503 that says to try again, and the web worker is free again.
    """
    try:
        arxiv_id, _version = parse_arxiv_id(text)
    except InvalidArxivId:
        raise SubmitRefused(
            "Give an arXiv id (such as 2501.01234) or an arxiv.org link.", 400
        ) from None
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is not None:
        return paper
    from dailypapers.ingest.arxiv_api import fetch_papers

    (result,) = fetch_papers([arxiv_id], timeout=settings.SUBMIT_ARXIV_WAIT)
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is not None:
        return paper
    if result.outcome == "error":
        raise SubmitRefused(
            f"{arxiv_id} is not in this site's catalogue yet, and arXiv is not answering just now "
            f"({result.detail}); please try again in a few minutes.",
            503,
        )
    raise SubmitRefused(
        f"arXiv has no paper {arxiv_id}. Check the id: it is the number on the paper's arxiv.org "
        "page, such as 2501.01234.",
        404,
        [(f"Look for {arxiv_id} on arXiv", f"https://arxiv.org/abs/{arxiv_id}")],
    )


def _published_on(paper):
    if paper.published:
        return timezone.localtime(paper.published).date()
    return paper.announced_on


def oldest_submittable():
    """The earliest publication day a non-staff submission may have."""
    return feed_today() - dt.timedelta(days=settings.SUBMIT_MAX_AGE_DAYS)


def first_featured(paper):
    """The first feed day `paper` was featured on, or None."""
    return (
        FeedEntry.objects.filter(paper=paper).order_by("day").values_list("day", flat=True).first()
    )


def _already_featured(paper, day):
    return SubmitRefused(
        f"{paper.arxiv_id} was already featured on {_date(day)}; a paper is featured once. "
        "You can upvote it and join its discussion on its page.",
        409,
        [
            (f"Papers of {_date(day)}", reverse("papers:day", args=[day.isoformat()])),
            ("The paper's page", paper.get_absolute_url()),
        ],
    )


def submission_refusal(user, paper):
    """Why `user` cannot submit `paper` (a SubmitRefused), or None if they may — for
    pages that offer the submission (the paper page), so they do not offer a dead end.
    The daily limit is left to the submission itself."""
    staff = has_staff_powers(user)
    if paper.hidden and not staff:
        return _hidden(paper)
    day = first_featured(paper)
    if day is not None:
        return _already_featured(paper, day)
    if not staff:
        published = _published_on(paper)
        if published is not None and published < oldest_submittable():
            return _too_old(paper, published)
    return None


def _hidden(paper):
    return SubmitRefused(
        f"{paper.arxiv_id} was hidden by the site's moderators and cannot be submitted.", 403
    )


def _too_old(paper, published):
    max_age = settings.SUBMIT_MAX_AGE_DAYS
    return SubmitRefused(
        f"{paper.arxiv_id} was published on {_date(published)}; only papers from the last {max_age} "
        f"days (since {_date(oldest_submittable())}) can be submitted. Pick a recent paper: arXiv "
        "lists the newest every weekday.",
        400,
        [("New papers on arXiv", NEW_PAPERS_URL), ("This paper's page", paper.get_absolute_url())],
    )


def submit(user, text, comment=""):
    """Feature the paper `text` names on today's feed, submitted by `user`; the new
    FeedEntry. Raises Refused with the reason otherwise.

    Rules (staff are exempt from the first two): the paper is at most
    SUBMIT_MAX_AGE_DAYS old; at most SUBMIT_DAILY_LIMIT submissions per person per feed
    day; the paper was never featured before. An optional comment by the submitter
    starts the paper's discussion.
    """
    check_participation(user)
    comment = (comment or "").strip()
    staff = has_staff_powers(user)
    if not staff and submissions_today(user) >= settings.SUBMIT_DAILY_LIMIT:
        raise _over_daily_limit()
    paper = find_paper(text)  # may ask arXiv: outside the transaction
    # The real reason first: hidden, then already featured (whatever its age), then too old.
    refusal = submission_refusal(user, paper)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        # Lock the submitter's row so that their concurrent submissions are counted one
        # after the other (the daily limit holds under races).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        today = feed_today()
        if not staff and submissions_today(user) >= settings.SUBMIT_DAILY_LIMIT:
            raise _over_daily_limit()
        featured = first_featured(paper)
        if featured is not None:
            raise _already_featured(paper, featured)
        # The discussion app owns comments; a paper may have some before it is featured.
        from dailypapers.discussion import services as discussion

        # Submissions rank after the day's earlier ones among equal votes.
        last = FeedEntry.objects.filter(day=today).aggregate(last=Max("position"))["last"]
        try:
            with transaction.atomic():
                entry = FeedEntry.objects.create(
                    paper=paper,
                    day=today,
                    submitted_at=timezone.now(),
                    submitted_by=user,
                    submitter_name=user.username,
                    position=0 if last is None else last + 1,
                    # No imported counts: the triggers (community/counters.py,
                    # discussion/counters.py) start it with the paper's local votes and
                    # comments.
                )
        except IntegrityError:
            # Someone else submitted it a moment ago (one entry per paper and day).
            raise _already_featured(paper, today) from None
        if comment:
            # A refused comment refuses the submission with it: nothing half-done.
            try:
                discussion.post_comment(user, paper, comment)
            except Refused as refusal:
                raise Refused(f"Your comment: {refusal.message}", refusal.status) from None
    entry.refresh_from_db()
    return entry


def _date(day):
    return f"{day:%b} {day.day}, {day.year}"


def _over_daily_limit():
    limit = settings.SUBMIT_DAILY_LIMIT
    return SubmitRefused(
        f"You have submitted {limit} paper{'s' if limit != 1 else ''} today, the most one person may; "
        "please come back tomorrow.",
        429,
    )


# --- Moderation ----------------------------------------------------------------------------


def set_hidden(moderator, paper, hidden):
    """Staff hide a paper from everyone but staff, or show it again. Setting updated_at
    changes the feed pages' cache keys, so the paper leaves them on the next load."""
    check_staff_powers(moderator)
    Paper.objects.filter(pk=paper.pk).update(hidden=hidden, updated_at=timezone.now())
    paper.hidden = hidden
