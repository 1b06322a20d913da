"""`dailypapers harvest` — bring new and updated arXiv papers in over OAI-PMH.

    dailypapers harvest                       every set in ARXIV_HARVEST_SETS, from the last run
    dailypapers harvest --set cs --from 2026-08-01 --until 2026-08-31

Run it once a day (arXiv updates its OAI-PMH records once a day, after the evening
announcement), e.g. from cron: `30 4 * * * dailypapers harvest --quiet`, or let
`dailypapers worker` run it. Safe to re-run and to kill: each page is committed with its
checkpoint, and the next run resumes there. Exits with status 1 when a set could not be
harvested to the end (the message says why).
"""

import datetime as dt
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dailypapers.core.dbfailures import resume_hint
from dailypapers.core.migrations_state import require_migrated
from dailypapers.ingest.oai import FORMATS, harvest
from dailypapers.search.indexing import add_embed_argument, embed_after_ingest


def _day(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(BaseCommand):
    help = (
        "Harvest new and updated arXiv papers over OAI-PMH (ListRecords) into the catalogue. "
        "Run daily (cron, or `dailypapers worker`); incremental from the last harvested day, "
        "resumes an interrupted run, one request every ARXIV_REQUEST_INTERVAL seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            dest="sets",
            action="append",
            metavar="SET",
            help="OAI set to harvest, e.g. cs or physics:hep-ex (repeatable; default: "
            "the ARXIV_HARVEST_SETS setting)",
        )
        parser.add_argument(
            "--from",
            dest="from_",
            metavar="DATE",
            help="records changed on or after DATE (YYYY-MM-DD); "
            "default: the last harvested day, or everything on the first run",
        )
        parser.add_argument(
            "--until", metavar="DATE", help="records changed on or before DATE (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--format", default="arXiv", choices=FORMATS, help="OAI metadata format (default arXiv)"
        )
        parser.add_argument(
            "--quiet", action="store_true", help="print only the summary and errors"
        )
        add_embed_argument(parser)

    def handle(self, *args, sets, from_, until, format, quiet, no_embed, **options):
        from_ = _day(from_) if from_ else None
        until = _day(until) if until else None
        if from_ and until and from_ > until:
            raise CommandError("--from is after --until")
        require_migrated()
        failed = []
        write_failed = False
        for set_spec in sets or settings.ARXIV_HARVEST_SETS:
            log = (lambda message: None) if quiet else (lambda message: self.stdout.write(message))

            def notice(message, set_spec=set_spec):
                # What a request waits for (arXiv not answering, a 503): on stderr, at once.
                if not quiet:
                    self.stderr.write(f"{set_spec}: {message}")

            log(f"{set_spec}: harvesting {format} records from {settings.ARXIV_OAI_URL}")
            result = harvest(
                set_spec, prefix=format, from_=from_, until=until, log=log, notice=notice
            )
            self.stdout.write(
                f"{set_spec}: {result.pages} pages, " + result.loader.papers.line("papers")
            )
            if result.error:
                failed.append(set_spec)
                write_failed = write_failed or result.write_failed
                self.stderr.write(
                    f"{set_spec}: harvest stopped: {result.error}. The next run resumes from the "
                    "last committed page."
                )
        if write_failed:
            raise CommandError(f"harvest incomplete for: {', '.join(failed)}. " + resume_hint())
        # What was committed is embedded even when a set failed half-way.
        embed_after_ingest(self.stdout.write, no_embed=no_embed, progress=sys.stderr.isatty())
        if failed:
            raise CommandError(f"harvest incomplete for: {', '.join(failed)}")
