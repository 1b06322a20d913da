"""`dailypapers load-demo` — load the bundled demo dataset: the latest weeks of Hugging
Face daily papers (personal fields stripped), so a new site shows a populated feed.

`make run` calls it. Safe to re-run: it is an ordinary idempotent import.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from dailypapers.core.migrations_state import require_migrated
from dailypapers.ingest.importing import import_hf_daily
from dailypapers.search import embedding
from dailypapers.search.indexing import embed_after_ingest, load_vectors

DEMO_DIR = Path(__file__).resolve().parents[3] / "demo" / "hf_daily"
# The demo papers' embeddings (scripts/make_demo_embeddings.py): semantic search works
# at once instead of after minutes of embedding.
DEMO_VECTORS = DEMO_DIR.parent / "embeddings.npz"


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
        if embedding.get_embedder() is not None:
            stored = load_vectors(DEMO_VECTORS)
            if stored:
                self.stdout.write(f"embeddings: {stored} loaded with the demo data")
        # Anything the bundled vectors do not cover (another model, edited papers).
        embed_after_ingest(self.stdout.write, progress=sys.stderr.isatty())
