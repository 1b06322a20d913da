"""`dailypapers search-index` — build or update the persisted HNSW vector index.

Large catalogues (VECTOR_ANN_THRESHOLD vectors or more, 50,000 by default) are searched
through an HNSW index in DATA_DIR/index that the web processes memory-map. `embed` and
the worker keep it up to date; run this after a bulk import with --no-embed and `embed`,
or with --rebuild after an upgrade. Vectors newer than the file are still found (they
are searched exactly beside it), so running it late only costs speed.
"""

import sys
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from dailypapers.core.migrations_state import require_migrated
from dailypapers.search import embedding
from dailypapers.search.vectors import ann_threshold, build_ann, latest_row


class Command(BaseCommand):
    help = (
        "Build or update the HNSW vector index used for semantic search on large catalogues "
        "(from VECTOR_ANN_THRESHOLD vectors on). Incremental unless --rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="build from scratch")
        parser.add_argument(
            "--force", action="store_true", help="build even below VECTOR_ANN_THRESHOLD"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, rebuild, force, no_progress, **options):
        require_migrated()
        model = embedding.model_name()
        _, count = latest_row(model)
        bar = tqdm(
            total=count,
            unit="vector",
            desc="Indexing",
            leave=False,
            disable=no_progress or not sys.stderr.isatty(),
        )
        started = time.monotonic()
        with bar:
            result = build_ann(model, rebuild=rebuild, force=force, progress=bar.update)
        if result["built"]:
            self.stdout.write(
                f"{model}: {result['vectors']:,} vectors indexed ({result['added']:,} added) "
                f"in {time.monotonic() - started:.1f} s"
            )
        else:
            self.stdout.write(
                f"{model}: {result['vectors']:,} vectors; index not built: {result['reason']}"
                + (" (use --force to build anyway)" if count < ann_threshold() else "")
            )
