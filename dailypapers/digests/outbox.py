"""Building the outbox, for `dailypapers digest build` and the worker.

build_outbox(period)   1. read the period's candidates once; 2. for each subscription
                       receiving the period's frequency without a row for the period,
                       rank them and queue one OutboxMessage; (subscription, period) is
                       unique, so running it twice, or two at once, queues nothing twice.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from dailypapers.digests.content import PeriodCache
from dailypapers.digests.models import OutboxMessage, Subscription
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
        .only("id", "categories", "keywords", "authors", "max_papers")
        .order_by("id")
    )
    pending = []
    for subscription in subscriptions.iterator(chunk_size=BUILD_CHUNK):
        filters = Filters.of(subscription.categories, subscription.keywords, subscription.authors)
        chosen = rank(
            papers, filters, min(subscription.max_papers, settings.DIGEST_MAX_PAPERS_LIMIT)
        )
        if not chosen:
            result.empty += 1
            continue
        pending.append(
            OutboxMessage(
                subscription_id=subscription.pk, period=period.key, next_attempt_at=now,
                entry_ids=[candidate.entry_id for candidate, _ in chosen],
            )
        )  # fmt: skip
        if len(pending) >= BUILD_CHUNK:
            result.queued += _insert(pending)
            if progress:
                progress(len(pending))
            pending = []
    if pending:
        result.queued += _insert(pending)
        if progress:
            progress(len(pending))
    return result


def _insert(rows):
    # ignore_conflicts: a row another builder queued meanwhile stays as it is.
    before = OutboxMessage.objects.filter(period=rows[0].period).count()
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return OutboxMessage.objects.filter(period=rows[0].period).count() - before
