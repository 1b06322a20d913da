"""Ranking a digest's papers for one subscriber. Knows nothing of Django.

    score = community + MATCH_WEIGHT × matches_filters + PERSONAL_WEIGHT × personal

`community` is the paper's upvotes in the period on a log scale, normalised by the
period's best paper (so it lies in [0, 1] whatever the site's size); `matches_filters`
is 1 when the paper is in one of the subscriber's categories, mentions one of their
keywords or is by one of their authors; `personal` is a per-subscriber score in [0, 1]
supplied by the caller (0 by default; a member's For you picks take places of their own
instead: dailypapers/digests/outbox.py). With MATCH_WEIGHT = 1 (and no personal
score) every paper matching the filters comes before the others, best community score
first (at equal scores the match wins), and the period's top papers fill the rest.

The candidates are computed once per period (dailypapers/digests/content.py) and each
subscriber's digest is a pass over them in Python: 10,000 subscribers cost 10,000
short loops, not 10,000 queries.
"""

import math
from dataclasses import dataclass, field

MATCH_WEIGHT = 1.0
PERSONAL_WEIGHT = 1.0


@dataclass(frozen=True)
class Candidate:
    entry_id: int
    arxiv_id: str
    title: str
    authors: tuple
    summary: str
    upvotes: int
    url: str
    categories: frozenset = field(default_factory=frozenset)
    # Lower-cased title, abstract and keywords; lower-cased author names: for matching.
    text: str = ""
    author_text: tuple = ()
    community: float = 0.0
    paper_id: int = 0
    # Why For you picked it (a member's personal picks only).
    reasons: tuple = ()


@dataclass(frozen=True)
class Filters:
    categories: tuple = ()
    keywords: tuple = ()
    authors: tuple = ()

    @classmethod
    def of(cls, categories, keywords, authors):
        return cls(
            tuple(c.strip() for c in categories if c.strip()),
            tuple(k.strip().lower() for k in keywords if k.strip()),
            tuple(a.strip().lower() for a in authors if a.strip()),
        )

    def __bool__(self):
        return bool(self.categories or self.keywords or self.authors)


def community_scores(upvotes):
    """log(1 + upvotes) / log(1 + best), in [0, 1]; all 0 when nobody voted."""
    best = max(upvotes, default=0)
    if best <= 0:
        return [0.0 for _ in upvotes]
    scale = math.log1p(best)
    return [math.log1p(max(0, u)) / scale for u in upvotes]


def matches(candidate, filters):
    """Which filter kinds the paper matches: a subset of {"category", "keyword", "author"}."""
    found = set()
    for category in filters.categories:
        # "cs" matches every cs.* category; "cs.CL" only itself.
        if category in candidate.categories or (
            "." not in category and any(c.startswith(category + ".") for c in candidate.categories)
        ):
            found.add("category")
            break
    for keyword in filters.keywords:
        if keyword in candidate.text:
            found.add("keyword")
            break
    for author in filters.authors:
        if any(author in name for name in candidate.author_text):
            found.add("author")
            break
    return found


def score(candidate, matched, personal=0.0):
    return (
        candidate.community + MATCH_WEIGHT * (1.0 if matched else 0.0) + PERSONAL_WEIGHT * personal
    )


def no_personal_score(candidate):
    return 0.0


def rank(candidates, filters, limit, personal=no_personal_score):
    """[(candidate, matched kinds)] for one subscriber, best first, at most `limit`.

    At equal scores a matching paper comes first, then the candidates' own order
    (community order of the period).
    """
    scored = []
    for index, candidate in enumerate(candidates):
        matched = matches(candidate, filters) if filters else set()
        scored.append(
            (
                -score(candidate, matched, personal(candidate)),
                not matched,
                index,
                candidate,
                matched,
            )
        )
    scored.sort(key=lambda item: item[:3])
    return [(candidate, matched) for *_, candidate, matched in scored[:limit]]
