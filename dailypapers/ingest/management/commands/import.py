"""`dailypapers import` — bring papers into the catalogue and the feed.

    dailypapers import hf-daily PATH...   Hugging Face api/daily_papers responses
                                          (files or directories of YYYY-MM-DD.json)
    dailypapers import arxiv PATH...      arXiv metadata JSONL, plain or .gz, in the bulk
                                          snapshot or the daily listing format

Safe to re-run: records are upserted by arXiv id, unchanged records write nothing, and
a newer arXiv version updates the paper. Run it by hand or from cron after fetching
new files; a bad file or line is reported and skipped, never fatal.
"""

import signal
import sys

from django.core.management.base import BaseCommand, CommandError

from dailypapers.core.dbfailures import resume_hint
from dailypapers.core.migrations_state import require_migrated
from dailypapers.ingest.importing import import_arxiv_jsonl, import_hf_daily
from dailypapers.ingest.loader import DEFAULT_BATCH_SIZE
from dailypapers.search.indexing import add_embed_argument, embed_after_ingest


class Command(BaseCommand):
    help = (
        "Import papers: 'hf-daily PATH...' for Hugging Face daily_papers JSON files or "
        "directories (feed days), 'arxiv PATH...' for arXiv metadata JSONL (catalogue only). "
        "Idempotent; prints a summary of created/updated/unchanged/skipped."
    )

    def add_arguments(self, parser):
        sources = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)
        hf = sources.add_parser(
            "hf-daily",
            help="Hugging Face api/daily_papers responses (one file per feed day)",
            description="Import Hugging Face api/daily_papers responses. Each file is one "
            "feed day, named YYYY-MM-DD.json (or .json.gz); directories are scanned.",
        )
        hf.add_argument("paths", nargs="+", metavar="PATH")
        arxiv = sources.add_parser(
            "arxiv",
            help="arXiv metadata JSONL (bulk snapshot or listing format, plain or gzip)",
            description="Import arXiv metadata JSONL into the catalogue. The papers become "
            "linkable and searchable but join the daily feed only when featured.",
        )
        arxiv.add_argument("paths", nargs="+", metavar="PATH")
        for sub in (hf, arxiv):
            sub.add_argument(
                "--batch-size",
                type=int,
                default=DEFAULT_BATCH_SIZE,
                help=f"records per transaction (default {DEFAULT_BATCH_SIZE})",
            )
            sub.add_argument(
                "--no-progress",
                action="store_true",
                help="no progress bar (default when not a terminal)",
            )
            sub.add_argument(
                "--quiet", action="store_true", help="print only the summary, not every file's fate"
            )
            add_embed_argument(sub)

    def handle(self, *args, source, paths, batch_size, no_progress, quiet, no_embed, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        from pathlib import Path

        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise CommandError("no such file or directory: " + ", ".join(missing))
        require_migrated()
        progress = not no_progress and sys.stderr.isatty()
        stopped_by = []

        def on_signal(signum, frame):
            # SIGTERM or Ctrl-C: the import stops after the batch in progress commits, the
            # parser process ends, the summary says what was committed. A second Ctrl-C
            # stops at once (the batch in progress rolls back).
            if stopped_by and signum == signal.SIGINT:
                raise KeyboardInterrupt
            stopped_by.append("SIGTERM" if signum == signal.SIGTERM else "Ctrl-C")

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        options = {
            "progress": progress,
            "batch_size": batch_size,
            "should_stop": lambda: bool(stopped_by),
        }
        try:
            if source == "hf-daily":
                reports = [import_hf_daily(paths, **options)]
                self._print_report(reports[0], quiet, entries=True)
            else:
                reports = []
                for path in paths:
                    reports.append(import_arxiv_jsonl(path, **options))
                    self._print_report(reports[-1], quiet, entries=False)
                    if reports[-1].interrupted or reports[-1].stopped:
                        break
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if reports[-1].stopped:
            raise CommandError(
                f"stopped: {reports[-1].stopped}. "
                + resume_hint("The counts above are what was committed.")
            )
        if reports[-1].interrupted:
            signame = stopped_by[0] if stopped_by else "Ctrl-C"
            raise CommandError(
                f"stopped by {signame}: the counts above are what was committed. Run the same "
                "command again to finish: what is already imported is left unchanged.",
                returncode=143 if signame == "SIGTERM" else 130,
            )
        embed_after_ingest(self.stdout.write, no_embed=no_embed, progress=progress)

    def _print_report(self, report, quiet, entries):
        bad_files = [f for f in report.files if not f[2]]
        for path, fate, ok in report.files:
            if not quiet or not ok:
                style = self.style.SUCCESS if ok else self.style.WARNING
                self.stdout.write(style(f"{path.name}: {fate}"))
        for path, number, reason in report.bad_lines:
            self.stdout.write(self.style.WARNING(f"{path.name}:{number}: skipped: {reason}"))
        self.stdout.write(
            f"{len(report.files)} file(s) read, {len(bad_files)} skipped; "
            f"{report.records_read} records"
        )
        self.stdout.write(report.papers.line("papers"))
        if entries:
            self.stdout.write(report.entries.line("feed entries"))
