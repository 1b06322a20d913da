"""What a digest shows: the period's candidate papers, read once per period.

`candidates(first_day, last_day)` is the only query a digest's content needs; the
builder and the sender keep its result for the run (a PeriodCache) and rank it per
subscriber in Python (dailypapers/lib/digest_ranking.py).
"""

from dataclasses import replace

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse

from dailypapers.lib.digest_ranking import Candidate, community_scores
from dailypapers.papers.models import FeedEntry, Paper

SUMMARY_CHARS = 240
# A period's papers beyond this many (by upvotes) are not considered: a digest shows at
# most DIGEST_MAX_PAPERS_LIMIT, and filter matches among the long tail are rare.
MAX_CANDIDATES = 2000


def summary(ai_summary, abstract):
    """One or two lines: the AI summary when there is one, else the abstract's start."""
    text = " ".join((ai_summary or abstract or "").split())
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[:SUMMARY_CHARS]
    end = cut.rfind(". ")
    if end >= SUMMARY_CHARS // 2:
        return cut[: end + 1]
    return cut.rsplit(" ", 1)[0] + "…"


def candidates(first_day, last_day):
    """The visible papers featured from first_day to last_day, community order, each
    paper once (with its best-voted entry when featured twice)."""
    rows = (
        FeedEntry.objects.visible()
        .filter(day__gte=first_day, day__lte=last_day)
        .order_by("-upvotes", "day", "position", "id")
        .values_list(
            "id", "upvotes", "paper_id", "paper__arxiv_id", "paper__title", "paper__authors",
            "paper__abstract", "paper__ai_summary", "paper__ai_keywords", "paper__categories",
        )[:MAX_CANDIDATES]
    )  # fmt: skip
    seen, kept = set(), []
    for row in rows:
        if row[2] not in seen:
            seen.add(row[2])
            kept.append(row)
    scores = community_scores([row[1] for row in kept])
    site = settings.SITE_URL
    result = []
    for row, community in zip(kept, scores):
        (
            entry_id,
            upvotes,
            paper_id,
            arxiv_id,
            title,
            authors,
            abstract,
            ai_summary,
            ai_keywords,
            categories,
        ) = row
        authors = tuple(authors or ())
        result.append(
            Candidate(
                entry_id=entry_id,
                arxiv_id=arxiv_id,
                title=" ".join(title.split()),
                authors=authors,
                summary=summary(ai_summary, abstract),
                upvotes=upvotes,
                url=site + reverse("papers:paper", kwargs={"arxiv_id": arxiv_id}),
                categories=frozenset(categories or ()),
                text=" ".join([title, abstract, " ".join(ai_keywords or ())]).lower(),
                author_text=tuple(a.lower() for a in authors),
                community=community,
                paper_id=paper_id,
            )
        )
    return result


class PeriodCache:
    """Candidates per period for one build or send run."""

    def __init__(self):
        self._by_key = {}

    def get(self, period):
        if period.key not in self._by_key:
            found = candidates(period.first_day, period.last_day)
            self._by_key[period.key] = (found, {c.entry_id: c for c in found})
        return self._by_key[period.key]


def picked(picks, known=None):
    """A member's personal picks (OutboxMessage.picks) as Candidates, still visible, in
    their order, each with its reasons; upvotes are the paper's over its feed days.
    `known`: {paper id: Candidate without reasons} kept by the sender across messages
    (members' picks of one period overlap), filled here."""
    known = {} if known is None else known
    missing = [pick["paper"] for pick in picks if pick["paper"] not in known]
    if missing:
        votes = dict(
            FeedEntry.objects.visible()
            .filter(paper_id__in=missing)
            .values_list("paper_id")
            .annotate(total=Sum("upvotes"))
        )
        site = settings.SITE_URL
        rows = Paper.objects.visible().filter(pk__in=missing)
        for paper in rows.only("id", "arxiv_id", "title", "authors", "abstract", "ai_summary"):
            known[paper.pk] = Candidate(
                entry_id=0,
                arxiv_id=paper.arxiv_id,
                title=" ".join(paper.title.split()),
                authors=tuple(paper.authors or ()),
                summary=summary(paper.ai_summary, paper.abstract),
                upvotes=votes.get(paper.pk, 0),
                url=site + reverse("papers:paper", kwargs={"arxiv_id": paper.arxiv_id}),
                paper_id=paper.pk,
            )
        for pk in missing:
            known.setdefault(pk, None)  # hidden or gone: not asked for again
    return [
        replace(known[pick["paper"]], reasons=tuple(pick.get("reasons") or ()))
        for pick in picks
        if known.get(pick["paper"]) is not None
    ]
