"""The ranking core, NumPy only (no Django): fit a reader's model from their signals,
score candidate papers, say why.

Interim method: Rocchio (the liked papers' centroid minus the disliked ones') plus the
nearest liked paper, plus boosts for followed categories, authors and keywords.
"""

import io
import json
import unicodedata
from dataclasses import dataclass, field

import numpy as np

FOLLOW_BOOST = {"author": 0.3, "category": 0.1, "keyword": 0.15}
DISLIKE_WEIGHT = 0.8


def name_key(name):
    """An author's name compared case- and accent-insensitively, "Last, First" as
    "First Last"."""
    if "," in name:
        last, first = name.split(",", 1)
        name = f"{first} {last}"
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace(".", " ").split())


@dataclass
class History:
    liked: np.ndarray
    liked_ids: list
    disliked: np.ndarray
    disliked_ids: list
    categories: frozenset = frozenset()
    authors: frozenset = frozenset()
    keywords: frozenset = frozenset()
    liked_texts: list = field(default_factory=list)


@dataclass
class Candidates:
    vectors: np.ndarray
    categories: list
    authors: list
    texts: list


@dataclass
class Reason:
    kind: str
    value: object
    weight: float


@dataclass
class ReaderModel:
    vector: np.ndarray
    signals: int
    categories: frozenset = frozenset()
    authors: frozenset = frozenset()
    keywords: frozenset = frozenset()

    def to_bytes(self):
        follows = {
            "signals": self.signals,
            "categories": sorted(self.categories),
            "authors": sorted(self.authors),
            "keywords": sorted(self.keywords),
        }
        buffer = io.BytesIO()
        np.savez(buffer, vector=self.vector.astype(np.float32), meta=np.array(json.dumps(follows)))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data):
        with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"]))
            return cls(
                stored["vector"],
                meta["signals"],
                frozenset(meta["categories"]),
                frozenset(meta["authors"]),
                frozenset(meta["keywords"]),
            )


def fit(history, background=None):
    dim = history.liked.shape[1] if history.liked.size else history.disliked.shape[-1]
    vector = np.zeros(dim, np.float32)
    if len(history.liked):
        vector += history.liked.mean(axis=0)
    if len(history.disliked):
        vector -= DISLIKE_WEIGHT * history.disliked.mean(axis=0)
    norm = np.linalg.norm(vector)
    if norm > 0:
        vector /= norm
    return ReaderModel(
        vector,
        len(history.liked_ids) + len(history.disliked_ids),
        frozenset(history.categories),
        frozenset(name_key(a) for a in history.authors),
        frozenset(k.lower() for k in history.keywords),
    )


def _follow_matches(model, candidates, i):
    found = []
    for c in candidates.categories[i]:
        if c in model.categories:
            found.append(("category", c))
    for a in candidates.authors[i]:
        if name_key(a) in model.authors:
            found.append(("author", a))
    text = candidates.texts[i].lower()
    for k in sorted(model.keywords):
        if k in text:
            found.append(("keyword", k))
    return found


def score(model, candidates):
    scores = candidates.vectors @ model.vector
    for i in range(len(scores)):
        for kind, _ in _follow_matches(model, candidates, i):
            scores[i] += FOLLOW_BOOST[kind]
    return scores


def score_many(models, candidates):
    return np.stack([score(m, candidates) for m in models])


def reasons(model, history, candidates, index, limit=3):
    found = []
    if len(history.liked):
        sims = history.liked @ candidates.vectors[index]
        best = int(np.argmax(sims))
        if sims[best] > 0.5:
            found.append(Reason("similar", history.liked_ids[best], float(sims[best])))
    for kind, value in _follow_matches(model, candidates, index):
        found.append(Reason(kind, value, FOLLOW_BOOST[kind]))
    return sorted(found, key=lambda r: -r.weight)[:limit]
