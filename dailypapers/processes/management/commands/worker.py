"""`dailypapers worker` — the long-running process for periodic jobs: the harvest, then
embedding what it brought and updating the vector index.

    dailypapers worker            harvest now, then every HARVEST_INTERVAL_HOURS (default 24);
                                  email digests every DIGEST_WORKER_INTERVAL_MINUTES (default 5)

Run it under a process supervisor (systemd, a container) as an alternative to cron
running `dailypapers harvest`; run one worker per site. SIGTERM or SIGINT stops it
cleanly: between pages of a harvest (each page is committed with its checkpoint, so the
next start resumes there) or at once while it waits. It exits 0 when stopped.

Each job is its app's own public function (ingest.oai.harvest_sets,
search.indexing.update_index, digests.jobs.run_scheduled); this command only
schedules them and keeps one failing job from stopping the others.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dailypapers.core.migrations_state import require_migrated
from dailypapers.core.stopping import stop_on_signals
from dailypapers.digests.jobs import run_scheduled
from dailypapers.ingest.oai import harvest_sets
from dailypapers.search.indexing import update_index


class Command(BaseCommand):
    help = (
        "Run periodic jobs until stopped by SIGTERM/SIGINT: the OAI-PMH harvest of "
        "ARXIV_HARVEST_SETS at start and then every HARVEST_INTERVAL_HOURS hours, each "
        "followed by embedding new papers and updating the vector index; the email digests (queued "
        "from DIGEST_SEND_HOUR, sent and retried every DIGEST_WORKER_INTERVAL_MINUTES). "
        "Run one under a supervisor (systemd, a container), or use cron with `dailypapers harvest`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            metavar="HOURS",
            help="hours between harvests (default: HARVEST_INTERVAL_HOURS)",
        )

    def handle(self, *args, every, **options):
        every = settings.HARVEST_INTERVAL_HOURS if every is None else every
        if every <= 0:
            raise CommandError("the interval must be more than 0 hours")
        require_migrated()
        stop = stop_on_signals(self.stdout.write)
        self.stdout.write(
            f"worker started: harvesting {', '.join(settings.ARXIV_HARVEST_SETS)} every {every:g} h"
        )
        next_harvest = time.monotonic()
        while not stop.is_set():
            if time.monotonic() >= next_harvest:
                self._harvest(stop)
                next_harvest = time.monotonic() + every * 3600
            if not stop.is_set():
                self._digests(stop)
            # Event.wait returns as soon as a signal handler sets the event.
            digest_wait = settings.DIGEST_WORKER_INTERVAL_MINUTES * 60
            stop.wait(max(0.0, min(digest_wait, next_harvest - time.monotonic())))
        self.stdout.write("worker stopped")

    def _digests(self, stop):
        """Queue the day's email digests once due, send what is due (dailypapers/digests)."""
        try:
            run_scheduled(should_stop=stop.is_set, log=self.stdout.write)
        except Exception as exc:  # e.g. the database is down: report, try again next time
            self.stderr.write(f"digests failed: {type(exc).__name__}: {exc}")

    def _harvest(self, stop):
        """Harvest every set (dailypapers/ingest), then embed what it brought."""
        # The client's waits (request interval, Retry-After, retries) end early on a stop.
        harvest_sets(
            log=self.stdout.write, warn=self.stderr.write, should_stop=stop.is_set, sleep=stop.wait
        )
        if not stop.is_set() and settings.EMBED_ON_IMPORT:
            self._index(stop)

    def _index(self, stop):
        """Embed what the harvest brought, update the vector index (dailypapers/search)."""
        try:
            update_index(self.stdout.write, should_stop=stop.is_set)
        except Exception as exc:  # report, try again next time
            self.stderr.write(f"indexing failed: {type(exc).__name__}: {exc}")
