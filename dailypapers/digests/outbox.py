"""Building the outbox, for `dailypapers digest build` and the worker.

build_outbox(period)   1. read the period's candidates once; 2. for each subscription
                       receiving the period's frequency without a row for the period,
                       rank them and queue one OutboxMessage; (subscription, period) is
                       unique, so running it twice, or two at once, queues nothing twice.

A member's digest blends in their personal picks (For you: the period's new arXiv papers
ranked for them, foryou.selectors.picks_for_many) as their digest mix says, from none
(the community's only) to all; everyone else's is the community's, as ranked by their
filters.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from dailypapers.digests.content import PeriodCache
from dailypapers.digests.models import OutboxMessage, Subscription
from dailypapers.foryou import selectors as foryou
from dailypapers.foryou.models import Reader
from dailypapers.lib.digest_ranking import Filters, rank

BUILD_CHUNK = 2000


@dataclass
class BuildResult:
    period: str
    queued: int = 0
    empty: int = 0  # subscribers with nothing to read this period (nothing queued)


def build_outbox(period, now=None, cache=None, progress=None):
    """Queue the period's digest for every subscription receiving its frequency that does
    not have it yet. Safe to re-run and to run twice at once (unique constraint)."""
    now = now or timezone.now()
    cache = cache or PeriodCache()
    papers, _ = cache.get(period)
    result = BuildResult(period.key)
    subscriptions = (
        Subscription.objects.receiving(period.frequency)
        .exclude(outbox__period=period.key)
        .select_related("user")
        .only("id", "categories", "keywords", "authors", "max_papers", "user")
        .order_by("id")
    )
    window = None
    pending, chunk = [], []
    for subscription in subscriptions.iterator(chunk_size=BUILD_CHUNK):
        chunk.append(subscription)
        if len(chunk) < BUILD_CHUNK:
            continue
        window = _queue_chunk(chunk, period, papers, now, window, pending, result)
        chunk = []
        if len(pending) >= BUILD_CHUNK:
            result.queued += _insert(pending)
            if progress:
                progress(len(pending))
            pending = []
    if chunk:
        _queue_chunk(chunk, period, papers, now, window, pending, result)
    if pending:
        result.queued += _insert(pending)
        if progress:
            progress(len(pending))
    return result


def _queue_chunk(chunk, period, papers, now, window, pending, result):
    """Rank each subscription of `chunk` and add its row to `pending`; the Window of
    the period's new papers, read the first time a member wants personal picks."""
    limits = {s.pk: min(s.max_papers, settings.DIGEST_MAX_PAPERS_LIMIT) for s in chunk}
    members = [s.user for s in chunk if s.user_id]
    mixes = dict(
        Reader.objects.filter(user__in=members, digest_mix__gt=0).values_list(
            "user_id", "digest_mix"
        )
    )
    personal = {}
    if mixes:
        wanted = {
            s.user_id: round(limits[s.pk] * mixes[s.user_id] / 100)
            for s in chunk
            if s.user_id in mixes
        }
        if window is None:
            window = foryou.Window(period.first_day, period.last_day)
        personal = foryou.picks_for_many(members, window, wanted)
    for subscription in chunk:
        picks = personal.get(subscription.user_id, []) if subscription.user_id else []
        shown = {pick.paper.pk for pick in picks}
        filters = Filters.of(subscription.categories, subscription.keywords, subscription.authors)
        chosen = rank(
            [c for c in papers if c.paper_id not in shown],
            filters,
            limits[subscription.pk] - len(picks),
        )
        if not chosen and not picks:
            result.empty += 1
            continue
        pending.append(
            OutboxMessage(
                subscription_id=subscription.pk, period=period.key, next_attempt_at=now,
                entry_ids=[candidate.entry_id for candidate, _ in chosen],
                picks=[{"paper": p.paper.pk, "reasons": p.reasons} for p in picks],
            )
        )  # fmt: skip
    return window


def _insert(rows):
    # ignore_conflicts: a row another builder queued meanwhile stays as it is.
    before = OutboxMessage.objects.filter(period=rows[0].period).count()
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return OutboxMessage.objects.filter(period=rows[0].period).count() - before
