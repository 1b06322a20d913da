"""`dailypapers digest build|send` — the email digests, for cron.

    dailypapers digest build                 queue today's digests (daily on weekdays, weekly)
    dailypapers digest build --date 2026-11-27 --frequency weekly
    dailypapers digest send                  send what is due, retries included

Run `build` once a day (after the day's feed is complete, e.g. 07:00) and `send` every
few minutes; both are safe to re-run and to run twice at once: the outbox has one row
per subscriber and period (unique), and senders claim rows before sending them.
`dailypapers worker` runs both on its own schedule (DIGEST_SEND_HOUR). SMTP settings
come from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS.
Exit status: 0 when everything due was handled, 1 when some messages must be retried
or failed.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from dailypapers.core.migrations_state import require_migrated
from dailypapers.core.stopping import stop_on_signals
from dailypapers.digests.content import PeriodCache
from dailypapers.digests.models import OutboxMessage, Subscription
from dailypapers.digests.outbox import build_outbox
from dailypapers.digests.schedule import daily_period, due_periods, weekly_period
from dailypapers.digests.sending import send_due


class Command(BaseCommand):
    help = (
        "Email digests: `build` queues the digests due on a day (run it daily), `send` sends "
        "what is due over SMTP, retrying temporary failures (run it every few minutes). "
        "Safe to re-run and to run twice at once."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{build,send}")
        build = sub.add_parser("build", help="queue the digests due on a day")
        build.add_argument(
            "--date", help="the sending day, YYYY-MM-DD (default: today in FEED_TIME_ZONE)"
        )
        build.add_argument(
            "--frequency", choices=[Subscription.DAILY, Subscription.WEEKLY], help="only this kind"
        )
        send = sub.add_parser("send", help="send the queued digests that are due")
        send.add_argument(
            "--batch", type=int, help="rows claimed at a time (default: DIGEST_SEND_BATCH)"
        )
        send.add_argument("--limit", type=int, help="stop after handling this many messages")
        for p in (build, send):
            p.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, action, **options):
        require_migrated()
        if action == "build":
            return self.build(options)
        return self.send(options)

    def build(self, options):
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date {options['date']!r} is not a date (YYYY-MM-DD)"
                ) from None
        else:
            day = timezone.localdate()
        if options["frequency"] == Subscription.DAILY:
            periods = [p for p in [daily_period(day)] if p]
        elif options["frequency"] == Subscription.WEEKLY:
            periods = [weekly_period(day)]
        else:
            periods = due_periods(day)
        if not periods:
            self.stdout.write(f"{day}: no digest is due (daily digests go out on weekdays)")
            return
        cache = PeriodCache()
        for period in periods:
            subscribers = Subscription.objects.receiving(period.frequency).count()
            with tqdm(
                total=subscribers,
                desc=period.key,
                unit="sub",
                disable=options["no_progress"] or None,
            ) as bar:
                result = build_outbox(period, cache=cache, progress=bar.update)
            papers = len(cache.get(period)[0])
            self.stdout.write(
                f"{period.key} ({period.label}): {papers} papers, {result.queued} digests queued, "
                f"{result.empty} subscribers with nothing to read"
            )

    def send(self, options):
        if options["batch"] is not None and options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        stop = stop_on_signals(self.stderr.write, "stopping after the current message")
        due = OutboxMessage.objects.due(timezone.now()).count()
        with tqdm(
            total=due, desc="sending", unit="email", disable=options["no_progress"] or None
        ) as bar:
            result = send_due(
                batch_size=options["batch"],
                limit=options["limit"],
                should_stop=stop.is_set,
                progress=bar.update,
            )
        self.stdout.write(
            f"{result.sent} sent, {result.retried} to retry, {result.failed} failed, {result.skipped} skipped"
        )
        for error in result.errors[:20]:
            self.stderr.write(error)
        if result.retried or result.failed:
            raise SystemExit(1)
