"""Reads for For you: a reader's signals as a ranking.History, the candidate papers of a
window, and the ranked picks with their reasons. Only the reader's own rows are read:
nobody else's signals reach their ranking.
"""

import datetime as dt
import random
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Q
from django.utils import timezone

from dailypapers.collections.models import CollectionItem
from dailypapers.community.models import Upvote
from dailypapers.foryou import ranking
from dailypapers.foryou.models import Feedback, Follow, Reader, Seen
from dailypapers.papers.models import FeedEntry, Paper
from dailypapers.search import service as search

BACKGROUND_SIZE = 2000
BACKGROUND_SECONDS = 3600
MAX_HISTORY = 5000  # the newest signals of each kind a model is fitted from
# A window's papers are read again when a paper gets a new vector, or after this; papers
# hidden meanwhile leave its picks at once (recommend checks).
WINDOW_SECONDS = 600
HISTORY_CACHE = 256  # readers' histories kept per process
PICKS_SECONDS = 60  # a reader's page lists kept this long at most (papers hidden since)
PICKS_KEPT = 1000  # readers' page lists kept per process
REASONS_KEPT = 100_000  # reasons kept per window (readers × picks)
LIMIT_SPARE = 20  # picks read beyond the limit, for those hidden since the window was read
NEAR_DUPLICATE = 0.95  # cosine: a paper this close to a dismissed one is not shown


@dataclass
class Pick:
    paper: Paper
    score: float
    reasons: list  # sentences for people: why the paper is here


def acted_ids(user, reader):
    """Papers For you does not show again: any feedback, upvoted, collected; and, with
    "hide seen", those it showed."""
    ids = _acted_by([user.pk])[user.pk]
    if reader.hide_seen:
        ids |= set(Seen.objects.filter(user=user).values_list("paper_id", flat=True))
    return ids


def history_of(user, reader):
    """The reader's signals as ranking.History (papers without a vector left out),
    oldest first as the ranking core wants them, with the liked papers' texts (for the
    words reason)."""
    history = _histories_for([reader])[user.pk]
    rows = Paper.objects.filter(pk__in=history.liked_ids).values_list("pk", "title", "abstract")
    texts = {pk: f"{title} {abstract}" for pk, title, abstract in rows}
    history.liked_texts = [texts.get(pk, "") for pk in history.liked_ids]
    return history


_background = {"at": 0.0, "vectors": None}
_background_lock = threading.Lock()


def background():
    """A random sample of the catalogue's vectors (sampled negatives for fitting), kept
    an hour per process."""
    with _background_lock:
        if (
            _background["vectors"] is None
            or time.monotonic() - _background["at"] > BACKGROUND_SECONDS
        ):
            ids = list(Paper.objects.visible().values_list("pk", flat=True).order_by("pk"))
            sample = random.Random(len(ids)).sample(ids, min(BACKGROUND_SIZE, len(ids)))
            _background["vectors"] = search.paper_vectors(sample)[1]
            _background["at"] = time.monotonic()
        return _background["vectors"]


def window_papers(start, end):
    """Visible papers first announced, or (when the listing day is unknown) published,
    from `start` to `end` (dates, inclusive)."""
    published = Q(announced_on__isnull=True) & Q(
        published__date__gte=start, published__date__lte=end
    )
    return Paper.objects.visible().filter(
        Q(announced_on__gte=start, announced_on__lte=end) | published
    )


def latest_day():
    """The newest listing day in the catalogue (For you's "today")."""
    return (
        Paper.objects.visible()
        .exclude(announced_on__isnull=True)
        .order_by("-announced_on")
        .values_list("announced_on", flat=True)
        .first()
    )


def signals_stamp(user, reader):
    """A short text that changes whenever `user`'s signals do (counts and newest times
    of feedback, follows, upvotes and collected papers, and what counts)."""
    parts = [reader.count_upvotes, reader.count_collections]
    for rows, moment in (
        (Feedback.objects.filter(user=user), "created_at"),
        (Follow.objects.filter(user=user), "created_at"),
        (Upvote.objects.filter(user=user), "created_at"),
        (CollectionItem.objects.filter(collection__owner=user), "added_at"),
    ):
        found = rows.aggregate(n=Count("pk"), last=Max(moment))
        parts += [found["n"], found["last"].timestamp() if found["last"] else 0]
    return ":".join(str(p) for p in parts)[:250]


def fit(user, reader):
    """Fit `user`'s model from their signals now and store it on `reader` (saved when it
    is in the database); the model."""
    history = history_of(user, reader)
    model = ranking.fit(history, background())
    reader.model = model.to_bytes()
    reader.model_signals = model.signals
    reader.model_stamp = signals_stamp(user, reader)
    reader.model_updated_at = timezone.now()
    if not reader._state.adding:  # a Reader read from the database, not a stand-in
        reader.save(update_fields=["model", "model_signals", "model_stamp", "model_updated_at"])
    return model


def model_of(user, reader):
    """The reader's stored model, refitted first when their signals changed since."""
    if not reader.model or reader.model_stamp != signals_stamp(user, reader):
        return fit(user, reader)
    return ranking.ReaderModel.from_bytes(reader.model)


class Reading:
    """One reader's state for one request: their Reader, model, history and the papers
    they acted on, read once however many lists the page ranks."""

    def __init__(self, user, reader=None):
        self.user = user
        self.reader = reader or Reader.objects.filter(user=user).first() or Reader(user=user)
        self.model = model_of(user, self.reader)
        self.history = cached_history(user, self.reader)
        self._acted = None

    @property
    def acted(self):
        if self._acted is None:
            self._acted = acted_ids(self.user, self.reader)
        return self._acted


def recommend(user, start, end, limit=50, *, papers=None, keep_acted=False, reading=None):
    """The reader's picks among the papers of `start`..`end` (or among `papers`), best
    first, without those they already acted on (unless `keep_acted`: sorting a list).
    `reading`: the reader's Reading, when a page ranks several lists."""
    reading = reading or Reading(user)
    model, history = reading.model, reading.history
    batch = window(start, end) if papers is None else Window(papers=papers)
    if not len(batch.ids):
        return []
    scores = ranking.score(model, batch.candidates)
    keep = np.ones(len(scores), dtype=bool)
    if not keep_acted:
        skip = reading.acted
        keep &= np.fromiter((pk not in skip for pk in batch.ids.tolist()), bool, len(scores))
        if len(history.disliked):
            # A near copy of a dismissed paper (another version, a companion paper) goes
            # with it; the rest of its kind only sinks (the model's part).
            keep &= (history.disliked @ batch.candidates.vectors.T).max(axis=0) < NEAR_DUPLICATE
    order = np.argsort(-scores, kind="stable")
    order = order[keep[order]][: limit + LIMIT_SPARE]
    # A cached window may hold papers hidden since it was read: they leave here.
    visible = set(
        Paper.objects.visible()
        .filter(pk__in=batch.ids[order].tolist())
        .values_list("pk", flat=True)
    )
    order = [i for i in order.tolist() if int(batch.ids[i]) in visible][:limit]
    why = {i: batch.reasons_for(reading, i) for i in order}
    cited = {r.value for reasons in why.values() for r in reasons if r.kind == "similar"}
    titles = dict(Paper.objects.filter(pk__in=cited).values_list("pk", "title"))
    return [
        Pick(batch.papers[i], float(scores[i]), [_sentence(r, titles) for r in why[i]])
        for i in order
    ]


_histories = OrderedDict()
_histories_lock = threading.Lock()


def cached_history(user, reader):
    """history_of(user), kept per process until the reader's model is refitted (every
    change of signals refits it: services.refit)."""
    if reader.model_updated_at is None:
        return history_of(user, reader)
    key = (user.pk, reader.model_updated_at)
    with _histories_lock:
        found = _histories.get(key)
        if found is not None:
            _histories.move_to_end(key)
            return found
    found = history_of(user, reader)
    with _histories_lock:
        _histories[key] = found
        while len(_histories) > HISTORY_CACHE:
            _histories.popitem(last=False)
    return found


_windows = {}
_windows_lock = threading.Lock()
_picks = OrderedDict()
_picks_lock = threading.Lock()


def remembered_picks(reading, what, build, keep=True):
    """`build()`'s picks for this reader, kept per process until their model is refitted
    (any change of their signals), a paper gets a new vector, or PICKS_SECONDS pass (a
    paper hidden meanwhile): a reader coming back to the page is answered without
    ranking again. `keep=False` (hide seen: every view changes the next) builds anew."""
    if not keep or reading.reader.model_updated_at is None:
        return build()
    key = (reading.user.pk, reading.reader.model_updated_at, search.vectors_stamp(), what)
    now = time.monotonic()
    with _picks_lock:
        found = _picks.get(key)
        if found is not None and now - found[0] < PICKS_SECONDS:
            _picks.move_to_end(key)
            return found[1]
    made = build()
    with _picks_lock:
        _picks[key] = (now, made)
        while len(_picks) > PICKS_KEPT:
            _picks.popitem(last=False)
    return made


def reset():
    """Forget this process's windows and histories (tests that roll the database back)."""
    with _windows_lock:
        _windows.clear()
    with _histories_lock:
        _histories.clear()
    with _picks_lock:
        _picks.clear()
    _background["vectors"] = None


def window(start, end):
    """The Window of `start`..`end`, kept per process for WINDOW_SECONDS while no paper
    gets a new vector (search's vector store stamp)."""
    stamp = search.vectors_stamp()
    now = time.monotonic()
    with _windows_lock:
        found = _windows.get((start, end))
        if found is not None and found[0] == stamp and now - found[1] < WINDOW_SECONDS:
            return found[2]
    made = Window(start, end)
    with _windows_lock:
        _windows[(start, end)] = (stamp, now, made)
        for key in [k for k, v in _windows.items() if now - v[1] >= WINDOW_SECONDS]:
            del _windows[key]
    return made


def _sentence(reason, titles):
    if reason.kind == "similar":
        title = titles.get(reason.value, "a paper")
        return f"Close to “{title}”, which you liked"
    if reason.kind == "author":
        return f"By {reason.value}, whom you follow"
    if reason.kind == "category":
        return f"In {reason.value}, which you follow"
    if reason.kind == "keyword":
        return f"Mentions “{reason.value}”, which you follow"
    if reason.kind == "words":
        return f"Words you read about: {reason.value}"
    return str(reason.value)


def week_before(day):
    return day - dt.timedelta(days=6), day


STARTER_POOL = 400


def starters(user, limit):
    """Papers to start from, spread across the catalogue: the community's most upvoted
    recent papers, taking each primary category in turn, without those already acted on."""
    reader = Reader.objects.filter(user=user).first() or Reader(user=user)
    skip = acted_ids(user, reader)
    by_category = {}
    entries = (
        FeedEntry.objects.visible()
        .filter(paper__hidden=False)
        .select_related("paper")
        .order_by("-day", "-upvotes")[:STARTER_POOL]
    )
    for entry in entries:
        paper = entry.paper
        if paper.pk in skip:
            continue
        group = by_category.setdefault(paper.primary_category or "other", [])
        if all(p.pk != paper.pk for p in group):
            group.append(paper)
    chosen = []
    groups = sorted(by_category.values(), key=len, reverse=True)
    while len(chosen) < limit and any(groups):
        for group in groups:
            if group and len(chosen) < limit:
                chosen.append(group.pop(0))
    return chosen


class Window:
    """Candidate papers with their vectors, read once for many requests or readers: the
    papers of `start`..`end`, or those of a queryset `papers`."""

    def __init__(self, start=None, end=None, *, papers=None):
        if papers is None:
            papers = window_papers(start, end)
        by_id = {
            p.pk: p
            for p in papers.only("id", "arxiv_id", "title", "abstract", "authors", "categories")
        }
        ids, vectors = search.paper_vectors(list(by_id))
        self._reasons = {}
        self.papers = [by_id[pk] for pk in ids]
        self.ids = np.asarray(ids, dtype=np.int64)
        self.candidates = ranking.Candidates(
            vectors=vectors,
            categories=[p.categories for p in self.papers],
            authors=[p.authors for p in self.papers],
            texts=[f"{p.title} {p.abstract}" for p in self.papers],
        )

    def reasons_for(self, reading, index):
        """ranking.reasons for one candidate, kept with this window until the reader's
        model is refitted: a reader reloading a page asks for the same ones."""
        key = (reading.user.pk, reading.reader.model_updated_at, index)
        found = self._reasons.get(key)
        if found is None:
            if len(self._reasons) >= REASONS_KEPT:
                self._reasons.clear()
            found = ranking.reasons(reading.model, reading.history, self.candidates, index)
            self._reasons[key] = found
        return found


def _acted_by(user_ids):
    """{user id: paper ids they acted on} for many readers, in three queries."""
    acted = {pk: set() for pk in user_ids}
    for model, user_field in (
        (Feedback, "user_id"),
        (Upvote, "user_id"),
        (CollectionItem, "collection__owner_id"),
    ):
        rows = model.objects.filter(**{f"{user_field}__in": user_ids}).values_list(
            user_field, "paper_id"
        )
        for user_id, paper_id in rows:
            acted[user_id].add(paper_id)
    return acted


def picks_for_many(users, window, limits):
    """{user id: [Pick]} for many readers at once over one Window (the digest): one
    matrix product for the batch, each reader's signals read in a few queries for all,
    then each reader's best `limits[user id]` papers they have not acted on and for which
    there is a reason. Readers who paused For you, or whose model knows nothing, get
    none. The stored models are used as they are (a reader's next visit refits one whose
    signals changed behind its back)."""
    if not len(window.ids):
        return {}
    readers = [
        r
        for r in Reader.objects.filter(user__in=users, paused=False, model_signals__gt=0)
        if r.model and limits.get(r.user_id, 0) > 0
    ]
    if not readers:
        return {}
    models = [ranking.ReaderModel.from_bytes(r.model) for r in readers]
    scores = ranking.score_many(models, window.candidates)
    acted = _acted_by([r.user_id for r in readers])
    histories = _histories_for(readers)
    chosen = {}
    for row, (reader, model) in enumerate(zip(readers, models)):
        order = np.argsort(-scores[row], kind="stable")
        skip = acted[reader.user_id]
        best = [i for i in order.tolist() if int(window.ids[i]) not in skip]
        best = best[: limits[reader.user_id]]
        history = histories[reader.user_id]
        # A pick with nothing to say for it is a guess: the community's fill its place.
        why = [(i, ranking.reasons(model, history, window.candidates, i)) for i in best]
        chosen[reader.user_id] = [(i, float(scores[row][i]), r) for i, r in why if r]
    cited = {r.value for picks in chosen.values() for _, _, rs in picks for r in rs}
    titles = dict(
        Paper.objects.filter(pk__in=[c for c in cited if isinstance(c, int)]).values_list(
            "pk", "title"
        )
    )
    return {
        user_id: [
            Pick(window.papers[i], score, [_sentence(r, titles) for r in why])
            for i, score, why in picks
        ]
        for user_id, picks in chosen.items()
        if picks
    }


def _histories_for(readers):
    """{user id: ranking.History} of many readers, in one query per kind of signal (the
    words reason left out: it needs every liked paper's text)."""
    user_ids = [r.user_id for r in readers]
    liked = {pk: [] for pk in user_ids}
    disliked = {pk: [] for pk in user_ids}
    rows = Feedback.objects.filter(user_id__in=user_ids).order_by("created_at", "id")
    for user_id, paper_id, signal in rows.values_list("user_id", "paper_id", "signal"):
        (liked if signal == Feedback.Signal.MORE else disliked)[user_id].append(paper_id)
    counting = {r.user_id: r for r in readers}
    for model, user_field, order in (
        (Upvote, "user_id", "created_at"),
        (CollectionItem, "collection__owner_id", "added_at"),
    ):
        wanted = [
            pk
            for pk in user_ids
            if (counting[pk].count_upvotes if model is Upvote else counting[pk].count_collections)
        ]
        rows = model.objects.filter(**{f"{user_field}__in": wanted}).order_by(order)
        for user_id, paper_id in rows.values_list(user_field, "paper_id"):
            liked[user_id].append(paper_id)
    follows = {pk: {kind: set() for kind in Follow.Kind.values} for pk in user_ids}
    for user_id, kind, value in Follow.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "kind", "value"
    ):
        follows[user_id][kind].add(value)
    every = {pk for ids in (*liked.values(), *disliked.values()) for pk in ids}
    ids, matrix = search.paper_vectors(sorted(every))
    row_of = {pk: n for n, pk in enumerate(ids)}
    histories = {}
    for user_id in user_ids:
        likes = [pk for pk in dict.fromkeys(liked[user_id]) if pk in row_of][-MAX_HISTORY:]
        dislikes = [pk for pk in disliked[user_id] if pk in row_of][-MAX_HISTORY:]
        found = follows[user_id]
        histories[user_id] = ranking.History(
            liked=matrix[[row_of[pk] for pk in likes]]
            if likes
            else np.zeros((0, matrix.shape[1] if len(matrix) else 0), np.float32),
            liked_ids=likes,
            disliked=matrix[[row_of[pk] for pk in dislikes]] if dislikes else None,
            disliked_ids=dislikes,
            categories=frozenset(found["category"]),
            authors=frozenset(found["author"]),
            keywords=frozenset(found["keyword"] | found["query"]),
        )
    return histories
