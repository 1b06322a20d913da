"""`dailypapers load-demo` — load the bundled demo dataset: the latest weeks of Hugging
Face daily papers (personal fields stripped), so a new site shows a populated feed.

`make run` calls it. Safe to re-run: it is an ordinary idempotent import.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from dailypapers.core.migrations_state import require_migrated
from dailypapers.ingest.importing import import_hf_daily

DEMO_DIR = Path(__file__).resolve().parents[3] / "demo" / "hf_daily"


class Command(BaseCommand):
    help = "Load the bundled demo data (a few weeks of real daily papers). Idempotent."

    def handle(self, *args, **options):
        require_migrated()
        report = import_hf_daily([DEMO_DIR])
        failed = [fate for _, fate, ok in report.files if not ok]
        for fate in failed:
            self.stderr.write(self.style.WARNING(fate))
        self.stdout.write(
            f"Demo data: {len(report.files)} days; {report.papers.line('papers')}; "
            f"{report.entries.line('feed entries')}"
        )
