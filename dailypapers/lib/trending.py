"""The trending formula, published on /papers/trending.

    score = upvotes × 0.5 ^ (age_hours / half_life_hours)

An upvote counts fully when the paper is featured and loses half its weight every
`half_life_hours` (48 by default). Age runs from the start of the paper's feed day to
the reference time. Papers featured more than `window_days` ago are not considered
(their weight is below 1% with the defaults).
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class TrendingScore:
    upvotes: int
    age_hours: float
    decay: float
    score: float


def trending_score(upvotes, age_hours, half_life_hours):
    age_hours = max(0.0, age_hours)
    decay = math.pow(0.5, age_hours / half_life_hours)
    return TrendingScore(upvotes=upvotes, age_hours=age_hours, decay=decay, score=upvotes * decay)
