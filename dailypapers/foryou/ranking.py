"""Each reader's ranking of new papers, from their private signals. Pure NumPy: no Django.

A reader's **history** is what they told us: papers they showed interest in (upvotes,
collections, "more like this", seeds), papers they dismissed ("not interested"), and what
they follow (arXiv categories, authors, keywords). `fit` turns a history into a small
**ReaderModel**; `score` / `score_many` rank candidate papers with it; `reasons` says why
a paper ranks where it does, naming only what contributed to its score.

The score of a candidate paper with unit vector x (the method chosen by the offline
evaluation, `dailypapers eval-foryou`; README "For you: ranking quality"):

    score(x) = LINEAR_WEIGHT * z(w · x)                 a linear model of the reader
             + NEAREST_WEIGHT * z(max_j p_j · x)        the nearest of their liked papers
             - REPEL_WEIGHT * max_j ramp(n_j · x)       near a dismissed paper: sinks
             + follow boosts                            followed author, category, keyword

1. w is an L2-regularised logistic regression of the reader's liked papers (1) against
   their dismissed papers and a sample of the catalogue (0), trained by STEPS gradient
   steps with Nesterov momentum (`_logistic`). It is what a reader with many signals is
   ranked by: it weighs the directions that separate their papers from everyone's.
2. p_j are up to PROTOTYPES of their liked papers (all of them when there are fewer;
   otherwise centres found by a few rounds of spherical k-means): a reader with two
   unrelated interests is not averaged into a point between them.
3. z(·) puts each term in units of its spread over the catalogue sample (z-scores), so
   the weights mean the same for every reader and the follow boosts are comparable.
4. n_j are the reader's most recent dismissed papers (up to REPEL_LIMIT); ramp(s) rises
   from 0 at cosine REPEL_FROM to 1 at cosine 1, so a dismissed paper's near neighbours
   drop by up to REPEL_WEIGHT catalogue spreads (its near duplicates, by nearly all of it),
   and papers merely on the same broad topic are not touched. It costs about 0.01 of
   nDCG@10 in the evaluation (whose dislikes border the reader's interests) and is kept
   because a dismissal must visibly work: on real vectors, dismissing a reader's top
   paper moves its neighbours (cosine ≥ 0.85) down a median 25 places.

Everything that depends on the reader is folded into the model's arrays, so scoring many
readers is one matrix product per batch (`score_many`), plus cheap follow look-ups.
"""

import json
import re
import struct
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np

# --- Parameters (chosen on the tuning readers of the offline evaluation) --------------------

LINEAR_WEIGHT = 1.0
NEAREST_WEIGHT = 1.0
PROTOTYPES = 8
REPEL_WEIGHT = 4.0
REPEL_FROM = 0.75
REPEL_LIMIT = 16
AUTHOR_BOOST = 3.0
CATEGORY_BOOST = 0.25
KEYWORD_BOOST = 3.0
# Logistic regression: L2 strength, gradient steps, weight of a dismissed paper relative
# to a catalogue sample paper (both are negatives; a dismissal is a stronger one).
L2 = 1.0
STEPS = 40
DISLIKE_WEIGHT = 4.0
# Below this many liked papers the page should say that it knows the reader only a little.
CONFIDENT_AT = 10

METHODS = ("centroid", "nearest", "rocchio", "logistic", "blend-no-follows", "blend")


@dataclass
class Params:
    """How `fit` builds a model; `DEFAULT` is the chosen one, the others are the
    evaluation's candidates."""

    linear: str = "logistic"  # "none", "centroid", "rocchio" or "logistic"
    linear_weight: float = LINEAR_WEIGHT
    nearest_weight: float = NEAREST_WEIGHT
    prototypes: int = PROTOTYPES
    repel_weight: float = REPEL_WEIGHT
    repel_from: float = REPEL_FROM
    author_boost: float = AUTHOR_BOOST
    category_boost: float = CATEGORY_BOOST
    keyword_boost: float = KEYWORD_BOOST
    l2: float = L2
    steps: int = STEPS
    dislike_weight: float = DISLIKE_WEIGHT
    momentum: bool = True


DEFAULT = Params()


def method_params(name):
    """The evaluation's candidate methods by name: the follow boosts are off except in
    "blend" (the chosen model), so each vector method is measured on its own, and
    "blend-no-follows" is the chosen model for a reader who follows nothing."""
    off = dict(author_boost=0.0, category_boost=0.0, keyword_boost=0.0, repel_weight=0.0)
    if name == "centroid":
        return Params(linear="centroid", nearest_weight=0.0, **off)
    if name == "nearest":
        return Params(linear="none", linear_weight=0.0, prototypes=1_000_000, **off)
    if name == "rocchio":
        return Params(linear="rocchio", nearest_weight=0.0, **off)
    if name == "logistic":
        return Params(linear="logistic", nearest_weight=0.0, **off)
    if name == "blend-no-follows":
        return replace(DEFAULT, author_boost=0.0, category_boost=0.0, keyword_boost=0.0)
    if name == "blend":
        return DEFAULT
    raise ValueError(f"unknown method {name!r}; choose from {', '.join(METHODS)}")


# --- Inputs ---------------------------------------------------------------------------------


@dataclass
class History:
    """A reader's signals. Vectors are L2-normalised float32 rows, newest last."""

    liked: np.ndarray
    liked_ids: list
    disliked: np.ndarray = None
    disliked_ids: list = field(default_factory=list)
    categories: frozenset = frozenset()
    authors: frozenset = frozenset()
    keywords: frozenset = frozenset()
    # Title + abstract of each liked paper (same order), for the "words" reason; optional.
    liked_texts: list = None

    def liked_word_counts(self):
        """{stem: how many liked papers hold it}, counted once per History (the words
        reason asks for it for every pick)."""
        counts = getattr(self, "_word_counts", None)
        if counts is None:
            counts = {}
            for text in self.liked_texts or ():
                for stem in set(words(text)):
                    counts[stem] = counts.get(stem, 0) + 1
            self._word_counts = counts
        return counts

    def __post_init__(self):
        self.liked = _rows(self.liked)
        d = self.liked.shape[1] if self.liked.size else None
        self.disliked = _rows(self.disliked, d)
        if len(self.liked_ids) != len(self.liked):
            raise ValueError("liked_ids must name each row of liked")
        if len(self.disliked_ids) != len(self.disliked):
            raise ValueError("disliked_ids must name each row of disliked")


@dataclass
class Candidates:
    """The papers to rank: unit vectors (k × d), and each paper's categories, authors and
    title + abstract."""

    vectors: np.ndarray
    categories: list
    authors: list
    texts: list

    def __post_init__(self):
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)
        k = len(self.vectors)
        if not (len(self.categories) == len(self.authors) == len(self.texts) == k):
            raise ValueError("one row of categories, authors and texts per candidate vector")
        self._lookups = None

    def __len__(self):
        return len(self.vectors)

    @property
    def lookups(self):
        """Who and what each candidate holds (authors, categories, words), for the follow
        terms and the "words" reason; built once per candidate set."""
        if self._lookups is None:
            self._lookups = _Lookups(self)
        return self._lookups


@dataclass(frozen=True)
class Reason:
    """Why a paper ranks high: kind is "similar" (value: the id of the liked paper nearest
    to it), "author", "category", "keyword" (value: the followed name, as the reader wrote
    it) or "words" (value: a few of the paper's words, comma-separated); weight is what
    the term added to the score, in the score's units ("words" explains the "similar"
    term rather than adding one: half its weight, so it is listed after it)."""

    kind: str
    value: object
    weight: float


def _rows(array, d=None):
    if array is None or len(array) == 0:
        return np.zeros((0, d or 0), np.float32)
    array = np.ascontiguousarray(array, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError("vectors must be a 2-d array, one row per paper")
    return array


# --- Names and words ------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")


def _fold(text):
    """Lower case without accents: "Gödel" and "godel" are the same name."""
    if not text or text.isascii():  # most of arXiv: nothing to take off
        return (text or "").lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def author_key(name):
    """An author's name compared as arXiv writes it, case- and accent-insensitively, with
    "Last, First" read as "First Last"."""
    name = _fold(name)
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    return " ".join(_WORD.findall(name))


def _stem(token):
    # Plural and singular match ("transformers" finds "transformer"); "loss" keeps its s.
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def words(text):
    """The stemmed words of a text, in order."""
    return [_stem(t) for t in _WORD.findall(_fold(text))]


def keyword_key(keyword):
    return tuple(words(keyword))


def category_key(category):
    return (category or "").strip().lower()


class _Lookups:
    """Which candidates hold each author, category and word (phrases are checked in order)."""

    def __init__(self, candidates):
        self.k = len(candidates)
        self.authors, self.categories, self.postings = {}, {}, {}
        self.tokens = []
        for i, (names, cats, text) in enumerate(
            zip(candidates.authors, candidates.categories, candidates.texts)
        ):
            for name in names:
                self.authors.setdefault(author_key(name), set()).add(i)
            for cat in cats:
                self.categories.setdefault(category_key(cat), set()).add(i)
            tokens = words(text)
            self.tokens.append(tokens)
            for t in set(tokens):
                self.postings.setdefault(t, set()).add(i)
        self._found = {}
        self._own = {}

    def own_words(self, candidates, index):
        """{stem: the word as written} of candidate `index` that may be a reason (no
        stopwords, numbers or short words); kept, since every reader asks again."""
        own = self._own.get(index)
        if own is None:
            own = {}
            for surface in _WORD.findall(_fold(candidates.texts[index])):
                stem = _stem(surface)
                if len(stem) > 2 and not stem.isdigit() and stem not in _STOPWORDS:
                    own.setdefault(stem, surface)
            self._own[index] = own
        return own

    def matches(self, kind, name):
        """The candidates (an array of positions) holding a followed author, category or
        keyword; cached, since many readers follow the same things."""
        found = self._found.get((kind, name))
        if found is None:
            if kind == "author":
                hits = self.authors.get(author_key(name), ())
            elif kind == "category":
                hits = self.categories.get(category_key(name), ())
            else:
                hits = self._phrase(keyword_key(name))
            found = self._found[(kind, name)] = np.array(sorted(hits), dtype=np.intp)
        return found

    def _phrase(self, key):
        """The candidates whose title or abstract holds the words of key, in order."""
        if not key:
            return set()
        found = set.intersection(*(self.postings.get(t, set()) for t in key))
        if len(key) > 1:
            found = {i for i in found if _holds(self.tokens[i], key)}
        return found


def _holds(tokens, key):
    n = len(key)
    first = key[0]
    return any(
        tokens[j] == first and tuple(tokens[j : j + n]) == key for j in range(len(tokens) - n + 1)
    )


# --- The model ------------------------------------------------------------------------------


@dataclass
class ReaderModel:
    """What `fit` learnt about one reader. `vector` carries the linear term, already
    scaled; `prototypes` and `nearest_scale`/`nearest_offset` the nearest-liked term;
    `repel` the dismissed papers; follows are kept as the reader wrote them."""

    vector: np.ndarray  # (d,) float32; zeros when the reader has no liked papers
    prototypes: np.ndarray  # (p, d) float32
    repel: np.ndarray  # (q, d) float32
    nearest_scale: float = 0.0
    nearest_offset: float = 0.0
    linear_offset: float = 0.0
    repel_weight: float = 0.0
    repel_from: float = REPEL_FROM
    author_boost: float = 0.0
    category_boost: float = 0.0
    keyword_boost: float = 0.0
    liked: int = 0
    disliked: int = 0
    categories: tuple = ()
    authors: tuple = ()
    keywords: tuple = ()

    @property
    def signals(self):
        """How many things the reader told us (liked, dismissed, followed)."""
        return (
            self.liked
            + self.disliked
            + len(self.categories)
            + len(self.authors)
            + len(self.keywords)
        )

    @property
    def confidence(self):
        """ "none" (nothing to go on), "low" (a few liked papers or only follows) or "good"
        (CONFIDENT_AT liked papers or more), for the page to say how much it knows."""
        if self.signals == 0:
            return "none"
        return "good" if self.liked >= CONFIDENT_AT else "low"

    def to_bytes(self):
        """A compact form for a BinaryField (about 20 KB at most with 384-d vectors): a
        header (sizes, counts, the ten floats of which the last two are spare), the linear
        vector as float32, prototypes and dismissed papers as float16, follows as JSON."""
        d = self.vector.shape[0]
        header = struct.pack(
            "<4sHHHII10f",
            b"FY01",
            d,
            len(self.prototypes),
            len(self.repel),
            self.liked,
            self.disliked,
            self.nearest_scale,
            self.nearest_offset,
            self.linear_offset,
            self.repel_weight,
            self.repel_from,
            self.author_boost,
            self.category_boost,
            self.keyword_boost,
            0.0,
            0.0,
        )
        follows = json.dumps(
            [list(self.categories), list(self.authors), list(self.keywords)],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        return b"".join(
            [
                header,
                self.vector.astype("<f4").tobytes(),
                self.prototypes.astype("<f2").tobytes(),
                self.repel.astype("<f2").tobytes(),
                follows,
            ]
        )

    @classmethod
    def from_bytes(cls, data):
        data = bytes(data)
        size = struct.calcsize("<4sHHHII10f")
        magic, d, p, q, liked, disliked, *floats = struct.unpack_from("<4sHHHII10f", data)
        if magic != b"FY01":
            raise ValueError("not a ReaderModel")
        at = size
        vector = np.frombuffer(data, "<f4", d, at).astype(np.float32)
        at += 4 * d
        prototypes = np.frombuffer(data, "<f2", p * d, at).astype(np.float32).reshape(p, d)
        at += 2 * p * d
        repel = np.frombuffer(data, "<f2", q * d, at).astype(np.float32).reshape(q, d)
        at += 2 * q * d
        categories, authors, keywords = json.loads(data[at:].decode())
        return cls(
            vector,
            prototypes,
            repel,
            *floats[:8],
            liked=liked,
            disliked=disliked,
            categories=tuple(categories),
            authors=tuple(authors),
            keywords=tuple(keywords),
        )


def fit(history, background, params=DEFAULT):
    """The reader's model from their history; `background` is a sample of catalogue
    vectors (a couple of thousand rows), the negatives every reader is contrasted with.

    Never trained per request: fit once per new signal and store the model. Measured on
    this project's 2-core machine (bench/foryou.py): 1,000 liked and 100 dismissed papers
    against 2,000 background rows in 15 ms on one core. Works from one signal;
    with none, the model ranks by follows only.
    """
    background = _rows(background)
    liked, disliked = history.liked, history.disliked
    d = next((a.shape[1] for a in (liked, disliked, background) if a.size), 0)
    if not background.size:
        background = np.zeros((0, d), np.float32)
    if not disliked.size:
        disliked = np.zeros((0, d), np.float32)
    vector = np.zeros(d, np.float32)
    prototypes = np.zeros((0, d), np.float32)
    nearest_scale = nearest_offset = linear_offset = 0.0
    if len(liked):
        if params.linear != "none" and params.linear_weight:
            w = _linear(params, liked, disliked, background)
            spread = background @ w if len(background) else np.zeros(1, np.float32)
            scale = params.linear_weight / (float(spread.std()) or 1.0)
            vector = (w * scale).astype(np.float32)
            linear_offset = float(np.median(spread) * scale)
        if params.nearest_weight:
            prototypes = _prototypes(liked, params.prototypes)
            spread = _nearest(prototypes, background) if len(background) else np.zeros(1)
            nearest_scale = params.nearest_weight / (float(spread.std()) or 1.0)
            nearest_offset = float(np.median(spread) * nearest_scale)
    repel = disliked[-REPEL_LIMIT:] if params.repel_weight else np.zeros((0, d), np.float32)
    return ReaderModel(
        vector=vector,
        prototypes=prototypes,
        repel=np.ascontiguousarray(repel, dtype=np.float32),
        nearest_scale=nearest_scale,
        nearest_offset=nearest_offset,
        linear_offset=linear_offset,
        repel_weight=params.repel_weight,
        repel_from=params.repel_from,
        author_boost=params.author_boost,
        category_boost=params.category_boost,
        keyword_boost=params.keyword_boost,
        liked=len(liked),
        disliked=len(disliked),
        categories=tuple(sorted(history.categories)),
        authors=tuple(sorted(history.authors)),
        keywords=tuple(sorted(history.keywords)),
    )


def _linear(params, liked, disliked, background):
    centroid = liked.mean(axis=0)
    if params.linear == "centroid":
        return centroid
    if params.linear == "rocchio":
        w = centroid.copy()
        if len(background):
            w -= background.mean(axis=0)
        if len(disliked):
            w -= 0.25 * disliked.mean(axis=0)
        return w
    if params.linear == "logistic":
        return _logistic(params, liked, disliked, background)
    raise ValueError(f"unknown linear model {params.linear!r}")


def _logistic(params, liked, disliked, background):
    """L2-regularised logistic regression, liked (1) against dismissed and catalogue (0),
    each side weighted to count as much as the other; gradient descent with a step the
    data bound allows (unit rows: the loss is 1/4-smooth), started from the Rocchio
    direction so that a few dozen steps suffice. Returns w (the bias is dropped: it does
    not change a ranking)."""
    x = np.concatenate([liked, disliked, background])
    y = np.zeros(len(x), np.float32)
    y[: len(liked)] = 1.0
    weight = np.ones(len(x), np.float32)
    negatives = len(disliked) * params.dislike_weight + len(background)
    weight[: len(liked)] = 1.0 / len(liked)
    weight[len(liked) : len(liked) + len(disliked)] = params.dislike_weight / max(negatives, 1)
    weight[len(liked) + len(disliked) :] = 1.0 / max(negatives, 1)
    weight /= weight.sum()
    lam = params.l2 / len(x)
    w = liked.mean(axis=0) - (background.mean(axis=0) if len(background) else 0.0)
    w = w.astype(np.float32)
    b = np.float32(0.0)
    step = 1.0 / (0.25 * 2 + lam)  # rows have norm ≤ 1 plus the bias' 1
    w_prev, b_prev = w.copy(), b
    for t in range(params.steps):
        # Nesterov's momentum: the same cost per step as plain gradient descent, and
        # far fewer steps to the optimum.
        m = t / (t + 3) if params.momentum else 0.0
        v, c = w + m * (w - w_prev), b + m * (b - b_prev)
        margin = x @ v + c
        p = 1.0 / (1.0 + np.exp(-margin))
        g = weight * (p - y)
        w_prev, b_prev = w, b
        w = v - step * (x.T @ g + lam * v)
        b = c - step * g.sum()
    return w


def _prototypes(liked, limit, rounds=5):
    """All liked vectors when there are few; else `limit` spherical k-means centres,
    seeded with the newest papers and then the farthest ones."""
    if len(liked) <= limit:
        return np.ascontiguousarray(liked, dtype=np.float32)
    chosen = [len(liked) - 1]
    nearest = liked @ liked[-1]
    for _ in range(limit - 1):
        far = int(np.argmin(nearest))
        chosen.append(far)
        nearest = np.maximum(nearest, liked @ liked[far])
    centres = liked[chosen].copy()
    for _ in range(rounds):
        assign = np.argmax(liked @ centres.T, axis=1)
        members = np.zeros((limit, len(liked)), np.float32)
        members[assign, np.arange(len(liked))] = 1.0
        sums = members @ liked  # one product, where np.add.at took 20 ms for 1,000 rows
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        keep = norms[:, 0] > 0
        centres[keep] = sums[keep] / norms[keep]
    return centres.astype(np.float32)


def _nearest(prototypes, vectors):
    return (vectors @ prototypes.T).max(axis=1)


def _ramp(sims, start):
    return np.clip((sims - start) / (1.0 - start), 0.0, 1.0)


# --- Scoring --------------------------------------------------------------------------------


def score(model, candidates):
    """(k,) scores of the candidates for one reader; higher is better."""
    return score_many([model], candidates)[0]


def score_many(models, candidates, batch=2_000):
    """(readers × k) scores, in batches of readers: per batch one product of the stacked
    linear vectors, one of the stacked prototypes and one of the stacked dismissed papers
    with the candidates, then the follow terms from the candidates' look-ups."""
    models = list(models)
    x = candidates.vectors
    out = np.zeros((len(models), len(x)), np.float32)
    if not models or not len(x):
        return out
    for start in range(0, len(models), batch):
        chunk = models[start : start + batch]
        out[start : start + len(chunk)] = _vector_terms(chunk, x)
    index = candidates.lookups if any(_follows(m) for m in models) else None
    if index is not None:
        for row, model in enumerate(models):
            for _, _, boost, found in _follow_terms(model, index):
                out[row, found] += boost
    return out


def _vector_terms(models, x):
    scores = np.stack([m.vector for m in models]) @ x.T
    scores -= np.array([m.linear_offset for m in models], np.float32)[:, None]
    # The nearest prototype and the nearest dismissed paper of each reader: one product of
    # everyone's stacked rows, then the maximum over each reader's rows (np.maximum.reduceat).
    for name in ("prototypes", "repel"):
        counts = np.array([len(getattr(m, name)) for m in models])
        has = np.flatnonzero(counts)
        if not len(has):
            continue
        stacked = np.concatenate([getattr(models[i], name) for i in has])
        starts = np.concatenate([[0], np.cumsum(counts[has])[:-1]])
        best = np.maximum.reduceat(stacked @ x.T, starts, axis=0)
        if name == "prototypes":
            scale = np.array([models[i].nearest_scale for i in has], np.float32)[:, None]
            offset = np.array([models[i].nearest_offset for i in has], np.float32)[:, None]
            scores[has] += best * scale - offset
        else:
            start = np.array([models[i].repel_from for i in has], np.float32)[:, None]
            weight = np.array([models[i].repel_weight for i in has], np.float32)[:, None]
            scores[has] -= weight * _ramp(best, start)
    return scores


def _follows(model):
    return model.categories or model.authors or model.keywords


def _follow_terms(model, index):
    """(kind, followed name, boost, candidate positions) for each thing the reader
    follows that some candidate matches."""
    terms = []
    for kind, names, boost in (
        ("author", model.authors, model.author_boost),
        ("category", model.categories, model.category_boost),
        ("keyword", model.keywords, model.keyword_boost),
    ):
        if boost:
            for name in names:
                found = index.matches(kind, name)
                if len(found):
                    terms.append((kind, name, boost, found))
    return terms


# --- Reasons --------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    words(
        "a an and are as at be by can for from has have in into is it its of on or our that "
        "the their these this those to we with which while via using use used based new show "
        "shows propose proposed approach method methods paper work results result task tasks "
        "model models data performance existing state art also such than more most both each "
        "however two one first across achieve achieves demonstrate different framework "
        "large further without through between over under where when what how not only "
        "significantly significant extensive experiments experiment introduce novel study "
        "problem problems set well may well improve improves improved"
    )
)


def reasons(model, history, candidates, index, limit=3):
    """Why candidate `index` scores as it does for this reader, strongest first: only the
    terms that raised its score (a follow that matched; similarity above the catalogue's
    median, naming the nearest liked paper, and the words it shares with the reader's
    liked papers when `history.liked_texts` is given)."""
    x = candidates.vectors[index]
    found = [
        Reason(kind, name, float(boost))
        for kind, name, boost, hits in _follow_terms(model, candidates.lookups)
        if index in hits
    ]
    similarity = float(model.vector @ x) - model.linear_offset
    if len(model.prototypes):
        similarity += float(_nearest(model.prototypes, x[None])[0]) * model.nearest_scale
        similarity -= model.nearest_offset
    if similarity > 0 and len(history.liked):
        sims = history.liked @ x
        nearest = int(np.argmax(sims))
        found.append(Reason("similar", history.liked_ids[nearest], similarity))
        shared = _shared_words(history, candidates, index)
        if shared:
            found.append(Reason("words", ", ".join(shared), similarity / 2))
    found.sort(key=lambda r: -r.weight)
    return found[:limit]


def _shared_words(history, candidates, index, count=3):
    """The candidate's words that the reader's liked papers hold most, weighed by how much
    more often they hold them than the day's papers do (so "learning" counts for less
    than "splatting")."""
    if not history.liked_texts:
        return []
    own = candidates.lookups.own_words(candidates, index)
    if not own:
        return []
    held = history.liked_word_counts()
    liked_counts = {stem: held.get(stem, 0) for stem in own}
    # Lift: how much more often the reader's liked papers hold a word than the day's
    # papers do. A word in more than a quarter of the day's papers ("learning") never
    # qualifies; a word must be in two liked papers when there are several, not one by
    # chance.
    postings = candidates.lookups.postings
    k, n_liked = len(candidates), len(history.liked_texts)
    least = 2 if n_liked >= 3 else 1
    weighed = []
    for stem, n in liked_counts.items():
        df = len(postings.get(stem, ()))
        if n >= least and df <= k / 4:
            lift = (n / n_liked) / ((df + 1) / (k + 1))
            if lift > 3:
                weighed.append((n * np.log(lift), stem))
    weighed.sort(key=lambda t: (-t[0], t[1]))
    return [own[s] for _, s in weighed[:count]]
