"""`dailypapers load-demo` — load the bundled demo dataset: the latest weeks of Hugging
Face daily papers (personal fields stripped), so a new site shows a populated feed.

`make run` calls it at every start: it loads into an empty catalogue only (or completes
its own interrupted load), so a restart after a real import changes nothing; --force
loads the demo days whatever the catalogue holds. While the site shows the demo data,
every page says so (core/demo.py); the first real import ends that.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from dailypapers.core import demo
from dailypapers.core.migrations_state import require_migrated
from dailypapers.ingest.importing import import_hf_daily
from dailypapers.processes.demo import should_load
from dailypapers.search import embedding
from dailypapers.search.indexing import embed_after_ingest, load_vectors

DEMO_DIR = Path(__file__).resolve().parents[3] / "demo" / "hf_daily"
# The demo papers' embeddings (scripts/make_demo_embeddings.py): semantic search works
# at once instead of after minutes of embedding.
DEMO_VECTORS = DEMO_DIR.parent / "embeddings.npz"


class Command(BaseCommand):
    help = (
        "Load the bundled demo data (a few weeks of real daily papers) into an empty catalogue; "
        "a catalogue holding papers is left alone unless --force. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="load the demo days even into a catalogue that holds papers (their feed "
            "entries on the demo days are rewritten from the bundled copy)",
        )  # fmt: skip

    def handle(self, *args, force, **options):
        require_migrated()
        load, reason = should_load(force=force)
        if not load:
            self.stdout.write(f"Demo data not loaded: {reason}.")
            return
        demo.begin()
        report = import_hf_daily([DEMO_DIR], demo=True)
        days = sorted(path.name.partition(".")[0] for path, _, ok in report.files if ok)
        demo.finish(days[0] if days else None, days[-1] if days else None)
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
