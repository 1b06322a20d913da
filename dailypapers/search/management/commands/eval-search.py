"""`dailypapers eval-search DIR…` — measure search quality on judged collections.

    dailypapers eval-search ../shared/data/ir_eval/cranfield
    dailypapers eval-search --json ../shared/data/ir_eval/cacm

Each DIR is a collection in BEIR layout (corpus.jsonl, queries.jsonl, qrels/test.tsv).
Reports nDCG@10 and recall@100 for keyword, semantic and hybrid search, ranked exactly as
the site ranks papers. Corpus embeddings are cached in DATA_DIR/cache, so a second run
takes seconds.
"""

import json as jsonlib
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dailypapers.search import embedding
from dailypapers.search.evaluation import CollectionError, evaluate, load_collection

MODES = ("keyword", "semantic", "hybrid")


class Command(BaseCommand):
    help = (
        "Measure keyword, semantic and hybrid search on judged collections in BEIR layout "
        "(corpus.jsonl, queries.jsonl, qrels/test.tsv): nDCG@10 and recall@100."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "dirs", nargs="+", metavar="DIR", help="a BEIR-layout collection directory"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help='print {"keyword": {"ndcg@10": …, "recall@100": …}, "semantic": …, "hybrid": …} '
            "(one object per collection; a list when several)",
        )
        parser.add_argument(
            "--no-cache", action="store_true", help="embed the corpus even if cached"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, dirs, json, no_cache, no_progress, **options):
        try:
            collections = [load_collection(d) for d in dirs]
        except CollectionError as exc:
            raise CommandError(str(exc)) from None
        embedder = embedding.get_embedder()
        if embedder is None:
            self.stderr.write(
                f"semantic search is off ({embedding.unavailable_reason()}): keyword only"
            )
        cache_dir = None if no_cache else settings.DATA_DIR / "cache"
        reports = []
        for collection in collections:
            bar = tqdm(
                total=len(collection.docs),
                unit="doc",
                desc=f"Embedding {collection.name}",
                leave=False,
                disable=no_progress or not sys.stderr.isatty() or embedder is None,
            )
            with bar:
                report = evaluate(collection, embedder, cache_dir=cache_dir, progress=bar.update)
            reports.append((collection, report))
        if json:
            data = [report for _, report in reports]
            self.stdout.write(_dumps(data[0] if len(data) == 1 else data))
            return
        for collection, report in reports:
            self.stdout.write(
                f"{collection.name}: {len(collection.docs):,} documents, {len(collection.qrels)} judged queries"
            )
            self.stdout.write(f"  {'':10} {'nDCG@10':>8} {'recall@100':>11}")
            for mode in MODES:
                scores = report[mode]
                if scores is None:
                    self.stdout.write(f"  {mode:10} {'off':>8} {'off':>11}")
                else:
                    self.stdout.write(
                        f"  {mode:10} {scores['ndcg@10']:8.3f} {scores['recall@100']:11.3f}"
                    )


def _dumps(data):
    return jsonlib.dumps(data)
