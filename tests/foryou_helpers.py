"""A small synthetic catalogue for For you's tests (a pytest plugin: tests/conftest.py):
papers carry vectors in 8 dimensions around three topics, so that "near" is known
exactly, and are listed on DAY (today's candidates) or three days before (read).
"""

import datetime as dt

import numpy as np
import pytest

from dailypapers.search.models import PaperEmbedding
from tests.factories import make_paper

SYNTHETIC = "synthetic-foryou"
DAY = dt.date(2026, 3, 10)


def unit(vector):
    vector = np.asarray(vector, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def topic(axis, wobble, seed):
    rng = np.random.default_rng(seed)
    vector = rng.normal(0, wobble, 8)
    vector[axis] += 1.0
    return unit(vector)


def paper_on(day, vector, **fields):
    paper = make_paper(announced_on=day, **fields)
    PaperEmbedding.objects.create(
        paper=paper, model=SYNTHETIC, text_hash="-", vector=PaperEmbedding.pack(vector)
    )
    return paper


@pytest.fixture
def world(settings):
    """Yesterday's papers the readers have read, and today's: four about topic 0
    (graphs), four about topic 1 (speech), four about topic 2 (robots)."""
    settings.EMBEDDING_MODEL_NAME = SYNTHETIC
    old = {
        t: [paper_on(DAY - dt.timedelta(days=3), topic(t, 0.1, 100 * t + i)) for i in range(3)]
        for t in range(3)
    }
    new = {
        t: [
            paper_on(DAY, topic(t, 0.15, 1000 + 100 * t + i), title=f"Topic {t} paper {i}")
            for i in range(4)
        ]
        for t in range(3)
    }
    return old, new
