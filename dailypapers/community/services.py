"""Upvotes, submissions to the daily feed, and staff moderation of papers.

Pages (community/views.py) and the API (community/api.py) both come here; each write
first asks accounts/rules.py:check_participation whether the person may take part.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from dailypapers.accounts.rules import Refused, check_participation, check_staff_powers, has_staff_powers
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
    return set(Upvote.objects.filter(user=user, paper_id__in=list(paper_ids)).values_list("paper_id", flat=True))


def set_vote(user, paper, on):
    """Make `user`'s upvote of `paper` exist (on) or not; returns (voted, upvotes).

    1. Insert (in a savepoint: the unique constraint refuses a second row, however many
       requests race) or delete the Upvote row.
    2. Only when a row was really inserted or deleted, move the paper's feed entries'
       counters by one with F(), in the same transaction: the count always equals the
       votes, and updated_at changes the feed pages' cache keys (papers/selectors.py), so
       the day pages and trending show the vote on the next load.
    `upvotes` is the paper's total over its visible feed entries, as the paper page shows.
    """
    check_participation(user)
    with transaction.atomic():
        if on:
            try:
                with transaction.atomic():
                    Upvote.objects.create(user=user, paper=paper)
                changed = True
            except IntegrityError:
                changed = False  # already voted (perhaps by a request racing this one)
            delta = 1
        else:
            deleted, _ = Upvote.objects.filter(user=user, paper=paper).delete()
            changed, delta = deleted > 0, -1
        if changed:
            FeedEntry.objects.filter(paper=paper).update(upvotes=F("upvotes") + delta, updated_at=timezone.now())
        total = paper.feed_entries.visible().aggregate(total=Sum("upvotes"))["total"] or 0
    return on, total


def toggle_vote(user, paper):
    return set_vote(user, paper, not has_voted(user, paper))


def remove_votes(user):
    """Take away all of `user`'s upvotes (their account is being deleted), each count
    going down by one, as if they had withdrawn them one by one."""
    with transaction.atomic():
        paper_ids = list(
            Upvote.objects.select_for_update().filter(user=user).values_list("paper_id", flat=True)
        )
        now = timezone.now()
        for start in range(0, len(paper_ids), 500):  # bounded IN lists (SQLite's 999 parameters)
            chunk = paper_ids[start : start + 500]
            Upvote.objects.filter(user=user, paper_id__in=chunk).delete()
            FeedEntry.objects.filter(paper_id__in=chunk).update(upvotes=F("upvotes") - 1, updated_at=now)


# --- Submissions ---------------------------------------------------------------------------


def feed_today():
    """Today's feed day (a calendar day in FEED_TIME_ZONE, which is TIME_ZONE)."""
    return timezone.localdate()


def submissions_today(user):
    return FeedEntry.objects.filter(submitted_by=user, day=feed_today()).count()


def find_paper(text):
    """The paper `text` (an arXiv id or abs/pdf URL) names: from the catalogue, else
    fetched from arXiv's API into it (ingest/arxiv_api.py, as `dailypapers fetch`)."""
    try:
        arxiv_id, _version = parse_arxiv_id(text)
    except InvalidArxivId:
        raise Refused("Give an arXiv id (such as 2501.01234) or an arxiv.org link.", 400) from None
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is not None:
        return paper
    from dailypapers.ingest.arxiv_api import fetch_papers

    (result,) = fetch_papers([arxiv_id])
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is not None:
        return paper
    if result.outcome == "error":
        raise Refused(f"arXiv could not be asked about {arxiv_id} just now; please try again later.", 503)
    raise Refused(f"arXiv has no paper {arxiv_id}.", 404)


def _published_on(paper):
    if paper.published:
        return timezone.localtime(paper.published).date()
    return paper.announced_on


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
    if paper.hidden and not staff:
        raise Refused("This paper cannot be submitted.", 403)
    published = _published_on(paper)
    max_age = settings.SUBMIT_MAX_AGE_DAYS
    if not staff and published is not None and published < feed_today() - dt.timedelta(days=max_age):
        raise Refused(
            f"{paper.arxiv_id} was published on {_date(published)}; only papers from the last "
            f"{max_age} days can be submitted.",
            400,
        )
    with transaction.atomic():
        # Lock the submitter's row so that their concurrent submissions are counted one
        # after the other (the daily limit holds under races).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        today = feed_today()
        if not staff and submissions_today(user) >= settings.SUBMIT_DAILY_LIMIT:
            raise _over_daily_limit()
        featured = FeedEntry.objects.filter(paper=paper).order_by("day").values_list("day", flat=True).first()
        if featured is not None:
            raise Refused(f"{paper.arxiv_id} is already in the feed (featured on {_date(featured)}).", 409)
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
                    # Local counts only (imported_* stay 0): what the paper already has.
                    upvotes=Upvote.objects.filter(paper=paper).count(),
                    num_comments=discussion.visible_count(paper),
                )
        except IntegrityError:
            # Someone else submitted it a moment ago (one entry per paper and day).
            raise Refused(f"{paper.arxiv_id} is already in the feed.", 409) from None
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
    return Refused(
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
