"""The worker's digest step (`dailypapers worker`): build what is due, then send."""

from django.conf import settings
from django.utils import timezone

from dailypapers.digests.content import PeriodCache
from dailypapers.digests.outbox import build_outbox
from dailypapers.digests.schedule import due_periods
from dailypapers.digests.sending import send_due


def run_scheduled(now=None, should_stop=None, log=None):
    """The worker's digest step: queue the digests due today (from DIGEST_SEND_HOUR on,
    local feed time), then send whatever is due."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    results = []
    if local.hour >= settings.DIGEST_SEND_HOUR:
        cache = PeriodCache()
        for period in due_periods(local.date()):
            built = build_outbox(period, now=now, cache=cache)
            if built.queued and log:
                log(f"digests {period.key}: {built.queued} queued")
            results.append(built)
    sent = send_due(should_stop=should_stop)
    if sent.handled and log:
        log(
            f"digests: {sent.sent} sent, {sent.retried} to retry, {sent.failed} failed, {sent.skipped} skipped"
        )
    return results, sent
