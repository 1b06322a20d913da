"""Measuring "For you" offline, on simulated readers of the real arXiv listings.

Protocol (`dailypapers eval-foryou`; the README's "For you: ranking quality" shows a run):

1. Data: the arXiv listings (one JSON object a line: `id`, `listing_date`, `authors`,
   `categories`, `title`, `summary`) and their embeddings (`.npy`, row i = line i; the
   same model the site uses). Popularity comes from Hugging Face Daily Papers responses
   (`upvotes` per arXiv id; papers not there count 0).
2. Interests. A reader's true interests are 2 or 3 drawn from three kinds, so that no
   single feature defines relevance: a **phrase** (a two-word phrase frequent in titles,
   matched in title + abstract: "gaussian splatting"), an **author** (someone with many
   papers), or a **region** of the embedding space (the papers nearest a random paper,
   its top 0.3%). Each reader also has one **dislike**: a region next to one of their
   interests (a paper among the 2,000 nearest an interest's paper, itself outside the
   interests). A paper is relevant when it matches an interest and is outside the dislike.
3. Temporal split. Each reader gets a test day (a listing day with at least 100 papers);
   the candidates are that day's papers, relevance as above; the history comes only from
   papers listed before it. History sizes 3, 10 and 30 liked papers: 85% drawn from their
   relevant papers, 15% off-profile (random catalogue papers: people like things outside
   their interests); plus one "not interested" for every five liked papers, drawn from the
   dislike. Half the readers follow things: each of their phrases and authors with
   probability 1/2, their most frequent category with probability 1/2, and with
   probability 1/5 a phrase that is not theirs (follows go stale). A reader with no
   relevant candidate that day is drawn again.
4. Background: 2,000 catalogue papers listed before the test day, the same for every
   reader of that day (the site samples its catalogue the same way).
5. Metrics per reader, then averaged: nDCG@10 (binary relevance), MRR@10 and recall@50.
6. Tuning and report are disjoint: the "tuning" split draws its readers from one seed and
   its test days from the earlier half of the last 120 listing days; the "held-out"
   split (the default, and the README's table) from another seed and the later half. The
   parameters in `ranking.py` were chosen on the tuning split only.

Baselines: random order; popularity (most Hugging Face upvotes first); centroid
similarity (the mean of the liked vectors). Candidates: each method of
`ranking.METHODS`, the last of which ("blend") is the chosen model.
"""

import gzip
import json
import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from dailypapers.foryou import ranking

HISTORY_SIZES = (3, 10, 30)
NDCG_AT = 10
MRR_AT = 10
RECALL_AT = 50
BACKGROUND = 2_000
BASELINES = ("random", "popularity")
SPLITS = {"tuning": (11, slice(-120, -60)), "held-out": (23, slice(-60, None))}
MIN_DAY = 100


class DataError(Exception):
    pass


@dataclass
class Corpus:
    ids: list
    dates: np.ndarray  # listing date as "YYYY-MM-DD" strings
    authors: list
    categories: list
    texts: list
    vectors: np.ndarray  # (n, d) float32 unit rows
    upvotes: np.ndarray  # (n,) float32


def load_corpus(listings, embeddings, hf_dir=None, limit=None):
    """The listings and their vectors; raises DataError with what is wrong."""
    listings, embeddings = Path(listings), Path(embeddings)
    for path in (listings, embeddings):
        if not path.is_file():
            raise DataError(f"no such file: {path}")
    opener = gzip.open if listings.suffix == ".gz" else open
    ids, dates, authors, categories, texts = [], [], [], [], []
    with opener(listings, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                ids.append(str(obj["id"]))
                dates.append(str(obj["listing_date"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise DataError(f"{listings.name}:{number}: not a listing ({exc})") from None
            authors.append([str(a) for a in obj.get("authors") or []])
            categories.append([str(c) for c in obj.get("categories") or []])
            texts.append(f"{obj.get('title') or ''}. {obj.get('summary') or ''}")
            if limit and len(ids) >= limit:
                break
    try:
        vectors = np.load(embeddings, mmap_mode="r")
    except ValueError as exc:
        raise DataError(f"{embeddings.name}: not a NumPy array ({exc})") from None
    if vectors.ndim != 2 or len(vectors) < len(ids):
        raise DataError(
            f"{embeddings.name}: {vectors.shape} does not hold one row per listing ({len(ids)})"
        )
    vectors = np.asarray(vectors[: len(ids)], dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors /= np.where(norms > 0, norms, 1.0)
    upvotes = np.zeros(len(ids), np.float32)
    if hf_dir is not None and Path(hf_dir).is_dir():
        votes = hf_upvotes(hf_dir)
        for i, arxiv_id in enumerate(ids):
            upvotes[i] = votes.get(arxiv_id, 0)
    return Corpus(ids, np.array(dates), authors, categories, texts, vectors, upvotes)


def hf_upvotes(directory):
    """{arXiv id: upvotes} from Hugging Face Daily Papers responses; files it cannot read
    (lists of Python-repr strings, a wrapped list) are read where they can be."""
    votes = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(data, dict):
            data = data.get("data") or []
        for entry in data if isinstance(data, list) else []:
            paper = entry.get("paper") if isinstance(entry, dict) else None
            if isinstance(paper, dict) and paper.get("id"):
                votes[str(paper["id"])] = max(
                    votes.get(str(paper["id"]), 0), int(paper.get("upvotes") or 0)
                )
    return votes


# --- Simulated readers ----------------------------------------------------------------------


@dataclass
class Reader:
    day: str
    relevant: np.ndarray  # bool over the corpus
    histories: dict  # size -> ranking.History
    follows: bool


class Simulation:
    """The interest pools of a corpus (phrases, authors) and a reader generator."""

    # How often an interest is a phrase, an author or a region of the embedding space.
    kinds = (0.45, 0.2, 0.35)

    def __init__(self, corpus, progress=None):
        self.corpus = corpus
        n = len(corpus.ids)
        self.tokens = [ranking.words(t) for t in corpus.texts]
        # 1. Phrases: two-word phrases of titles (no stopwords), in 0.1%–1% of the papers.
        counts = {}
        for text in corpus.texts:
            title = ranking.words(text.split(". ", 1)[0])
            for pair in set(zip(title, title[1:])):
                if not (set(pair) & ranking._STOPWORDS) and all(len(w) > 2 for w in pair):
                    counts[pair] = counts.get(pair, 0) + 1
        low, high = max(3, n // 1000), max(4, n // 100)
        pool = {p for p, c in counts.items() if low <= c <= high}
        self.phrases = {}
        for i, tokens in enumerate(self.tokens):
            for pair in set(zip(tokens, tokens[1:])) & pool:
                self.phrases.setdefault(pair, []).append(i)
            if progress and i % 5000 == 4999:
                progress(5000)
        self.phrases = {
            p: np.array(v) for p, v in self.phrases.items() if low <= len(v) <= 3 * high
        }
        # 2. Authors with many papers.
        by_author = {}
        for i, names in enumerate(corpus.authors):
            for name in names:
                by_author.setdefault(ranking.author_key(name), []).append(i)
        floor = max(3, n // 5000)
        self.authors = {a: np.array(v) for a, v in by_author.items() if len(v) >= floor}
        self.author_names = {}
        for names in corpus.authors:
            for name in names:
                self.author_names.setdefault(ranking.author_key(name), name)
        self.phrase_list = sorted(self.phrases)
        self.author_list = sorted(self.authors)
        self.days = sorted({d for d in corpus.dates})
        self.day_index = {d: np.flatnonzero(corpus.dates == d) for d in self.days}

    def region(self, centre, share=0.003):
        sims = self.corpus.vectors @ self.corpus.vectors[centre]
        top = max(5, int(len(sims) * share))
        return np.argpartition(-sims, top)[:top]

    def test_days(self, split):
        _, window = SPLITS[split]
        return [d for d in self.days[window] if len(self.day_index[d]) >= MIN_DAY] or [
            d for d in self.days[window]
        ]

    def reader(self, rng, day):
        """One simulated reader for a test day, or None when the draw fails."""
        n = len(self.corpus.ids)
        before = self.corpus.dates < day
        interests = []
        follows = rng.random() < 0.5
        followed_phrases, followed_authors = [], []
        for _ in range(int(rng.integers(2, 4))):
            kind = rng.choice(["phrase", "author", "region"], p=self.kinds)
            if kind == "phrase" and self.phrase_list:
                phrase = self.phrase_list[rng.integers(len(self.phrase_list))]
                interests.append(self.phrases[phrase])
                if follows and rng.random() < 0.5:
                    followed_phrases.append(" ".join(phrase))
            elif kind == "author" and self.author_list:
                author = self.author_list[rng.integers(len(self.author_list))]
                interests.append(self.authors[author])
                if follows and rng.random() < 0.5:
                    followed_authors.append(self.author_names[author])
            else:
                interests.append(self.region(int(rng.integers(n))))
        liked_pool = np.zeros(n, bool)
        for members in interests:
            liked_pool[members] = True
        # The dislike: next to an interest, outside every interest.
        anchor = int(rng.choice(interests[0]))
        width = min(2000, n - 1)
        sims = self.corpus.vectors @ self.corpus.vectors[anchor]
        near = np.argpartition(-sims, width)[:width]
        near = near[~liked_pool[near]]
        if not len(near):
            return None
        dislike = np.zeros(n, bool)
        dislike[self.region(int(rng.choice(near)))] = True
        relevant = liked_pool & ~dislike
        today = self.corpus.dates == day
        if not (relevant & today).any():
            return None
        positives = np.flatnonzero(relevant & before)
        negatives = np.flatnonzero(dislike & before & ~liked_pool)
        if len(positives) < max(HISTORY_SIZES):
            return None
        categories = frozenset()
        if follows and rng.random() < 0.5:
            tally = {}
            for i in positives:
                for c in self.corpus.categories[i][:1]:
                    tally[c] = tally.get(c, 0) + 1
            if tally:
                categories = frozenset([max(tally, key=tally.get)])
        if follows and rng.random() < 0.2 and self.phrase_list:
            followed_phrases.append(" ".join(self.phrase_list[rng.integers(len(self.phrase_list))]))
        earlier = np.flatnonzero(before)
        histories = {}
        for size in HISTORY_SIZES:
            off = int(round(size * 0.15)) if size >= 5 else 0
            liked = list(rng.choice(positives, size - off, replace=False))
            liked += list(rng.choice(earlier, off, replace=False))
            liked.sort()  # listing order: newest last
            disliked = (
                sorted(rng.choice(negatives, min(len(negatives), size // 5), replace=False))
                if len(negatives)
                else []
            )
            liked, disliked = np.array(liked, int), np.array(disliked, int)
            histories[size] = ranking.History(
                liked=self.corpus.vectors[liked],
                liked_ids=[int(i) for i in liked],
                disliked=self.corpus.vectors[disliked] if len(disliked) else None,
                disliked_ids=[int(i) for i in disliked],
                categories=categories,
                authors=frozenset(followed_authors),
                keywords=frozenset(followed_phrases),
            )
        return Reader(day, relevant, histories, follows)

    def readers(self, split, count, progress=None):
        seed, _ = SPLITS[split]
        rng = np.random.default_rng(seed)
        days = self.test_days(split)
        if not days:
            raise DataError("no listing day to test on")
        made, tries = [], 0
        while len(made) < count and tries < count * 50:
            tries += 1
            reader = self.reader(rng, days[int(rng.integers(len(days)))])
            if reader is not None:
                made.append(reader)
                if progress:
                    progress(1)
        if not made:
            raise DataError("could not draw a single reader: the corpus is too small")
        return made


# --- Metrics --------------------------------------------------------------------------------


def metrics(order, relevant):
    """nDCG@10, MRR@10 and recall@50 of a ranking (candidate positions) given a boolean
    relevance per candidate."""
    hits = relevant[order]
    total = int(relevant.sum())
    gains = hits[:NDCG_AT] / np.log2(np.arange(2, min(NDCG_AT, len(hits)) + 2))
    ideal = (1.0 / np.log2(np.arange(2, min(NDCG_AT, total) + 2))).sum()
    first = np.flatnonzero(hits[:MRR_AT])
    return (
        float(gains.sum() / ideal) if ideal else 0.0,
        1.0 / (first[0] + 1) if len(first) else 0.0,
        float(hits[:RECALL_AT].sum() / total) if total else 0.0,
    )


def rank(scores, rng):
    """Best first; ties broken at random (a popularity of 0 says nothing)."""
    jitter = rng.random(len(scores))
    return np.lexsort((jitter, -np.asarray(scores, dtype=np.float64)))


def evaluate(corpus, split="held-out", readers=300, methods=None, params=None, progress=None):
    """{method: {size: (nDCG@10, MRR@10, recall@50)}} averaged over the split's readers.
    `params` adds named `ranking.Params` to measure beside the methods (for tuning)."""
    methods = list((*BASELINES, *ranking.METHODS) if methods is None else methods)
    params = dict(params or {})
    simulation = Simulation(corpus)
    drawn = simulation.readers(split, readers)
    rng = np.random.default_rng(SPLITS[split][0] + 1)
    backgrounds = {}
    sums = {m: {s: np.zeros(3) for s in HISTORY_SIZES} for m in [*methods, *params]}
    fitted = {m: ranking.method_params(m) for m in methods if m not in BASELINES}
    fitted.update(params)
    for reader in drawn:
        day = reader.day
        if day not in backgrounds:
            earlier = np.flatnonzero(corpus.dates < day)
            take = rng.choice(earlier, min(BACKGROUND, len(earlier)), replace=False)
            backgrounds[day] = corpus.vectors[take]
        today = simulation.day_index[day]
        candidates = ranking.Candidates(
            corpus.vectors[today],
            [corpus.categories[i] for i in today],
            [corpus.authors[i] for i in today],
            [corpus.texts[i] for i in today],
        )
        relevant = reader.relevant[today]
        for size, history in reader.histories.items():
            for name in sums:
                if name == "random":
                    scores = np.zeros(len(today))
                elif name == "popularity":
                    scores = corpus.upvotes[today]
                else:
                    model = ranking.fit(history, backgrounds[day], fitted[name])
                    scores = ranking.score(model, candidates)
                sums[name][size] += metrics(rank(scores, rng), relevant)
        if progress:
            progress(1)
    return {
        name: {size: tuple(float(v) for v in total / len(drawn)) for size, total in by.items()}
        for name, by in sums.items()
    }, len(drawn)


LABELS = {
    "random": "random",
    "popularity": "popularity (HF upvotes)",
    "centroid": "centroid similarity",
    "nearest": "nearest liked paper (max-sim)",
    "rocchio": "Rocchio (centroid − catalogue − dismissed)",
    "logistic": "logistic regression (liked vs dismissed + catalogue)",
    "blend-no-follows": "chosen, without follows (liked and dismissed papers only)",
    "blend": "**chosen: logistic + nearest liked + dismissal + follows**",
}


def table(report, readers, split, seconds):
    """The report as a Markdown table with the machine/date line."""
    sizes = HISTORY_SIZES
    head = "| method | " + " | ".join(f"{s} signals" for s in sizes) + " |"
    lines = [
        f"{readers} simulated readers ({split} split), per history size: "
        f"nDCG@{NDCG_AT} / MRR@{MRR_AT} / recall@{RECALL_AT}.",
        "",
        head,
        "|---|" + "---:|" * len(sizes),
    ]
    for name, by in report.items():
        cells = [" / ".join(f"{v:.3f}" for v in by[s]) for s in sizes]
        lines.append(f"| {LABELS.get(name, name)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({_cores()} cores), Python {platform.python_version()}, NumPy {np.__version__}; "
        f"{seconds:.0f} s.",
    ]
    return "\n".join(lines)


def _cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
