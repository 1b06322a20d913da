"""`dailypapers embed` — compute the embeddings semantic search needs.

    dailypapers embed               every paper without a current vector
    dailypapers embed --limit 1000  at most 1,000 of them (a bounded run for cron)

Imports, fetches and harvests embed what they bring in; run this after an import with
--no-embed, after changing the model (EMBEDDING_MODEL_DIR), or to finish an interrupted
run. Safe to interrupt and to re-run: each batch is committed.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from dailypapers.core.migrations_state import require_migrated
from dailypapers.search import embedding
from dailypapers.search.indexing import EMBED_BATCH, embed_pending
from dailypapers.search.vectors import build_ann


class Command(BaseCommand):
    help = (
        "Embed papers for semantic search: those with no vector of the configured model, or "
        "whose title or abstract changed since. Resumable; prints how many were embedded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, metavar="N", help="embed at most N papers")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=EMBED_BATCH,
            help=f"papers per batch and commit (default {EMBED_BATCH})",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, limit, batch_size, no_progress, **options):
        if limit is not None and limit < 0:
            raise CommandError("--limit must not be negative")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        require_migrated()
        embedder = embedding.get_embedder()
        if embedder is None:
            raise CommandError(f"semantic search is off: {embedding.unavailable_reason()}")
        progress = not no_progress and sys.stderr.isatty()
        tally = embed_pending(embedder, limit=limit, progress=progress, batch=batch_size)
        self.stdout.write(
            f"{tally.embedded} paper(s) embedded with {embedder.name}, {tally.up_to_date} already up to date"
        )
        built = build_ann(embedder.name)
        if built["built"]:
            self.stdout.write(f"vector index updated: {built['vectors']:,} vectors")
