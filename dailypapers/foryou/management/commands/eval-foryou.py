"""`dailypapers eval-foryou` — measure the "For you" ranking on simulated readers.

    dailypapers eval-foryou
    dailypapers eval-foryou --readers 100 --split tuning
    dailypapers eval-foryou --output foryou-eval.md

Builds simulated readers from the real arXiv listings (interests over phrases, authors
and regions of the embedding space, with noise), gives each a history from before a
test day and ranks that day's papers for them with every baseline and candidate method:
nDCG@10, MRR@10 and recall@50 for 3, 10 and 30 signals, as a Markdown table. The
protocol is in dailypapers/foryou/evaluation.py. Run it after changing ranking.py; the
full run (500 held-out readers) takes a few minutes on two cores.
"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dailypapers.foryou import evaluation, ranking

SHARED = Path("..") / "shared" / "data"


class Command(BaseCommand):
    help = (
        "Measure the For you ranking offline on simulated readers of the arXiv listings "
        "(a temporal split: history before a day, that day's papers as candidates; "
        "nDCG@10, MRR@10 and recall@50 for 3, 10 and 30 signals, baselines beside the "
        "chosen model). Prints a Markdown table."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--listings",
            type=Path,
            default=SHARED / "arxiv_listings.jsonl.gz",
            help="arXiv listings, one JSON object a line (.jsonl or .jsonl.gz) with id, "
            "listing_date, authors, categories, title, summary (default: %(default)s)",
        )
        parser.add_argument(
            "--embeddings",
            type=Path,
            default=SHARED / "arxiv_listings.bge-small-en-v1.5-int8.f16.npy",
            help="their vectors, a .npy array with row i for line i (default: %(default)s)",
        )
        parser.add_argument(
            "--hf-dir",
            type=Path,
            default=SHARED / "hf_daily_papers",
            help="Hugging Face Daily Papers responses (*.json) for the popularity baseline; "
            "papers not there count 0 upvotes, and a missing directory makes every paper 0 "
            "(default: %(default)s)",
        )
        parser.add_argument(
            "--readers",
            type=int,
            default=500,
            help="simulated readers, each measured at every history size (default: %(default)s)",
        )
        parser.add_argument(
            "--split",
            choices=sorted(evaluation.SPLITS),
            default="held-out",
            help="held-out (the reported figures) or tuning (the readers and days the "
            "parameters were chosen on); disjoint seeds and days (default: %(default)s)",
        )
        parser.add_argument(
            "--methods",
            default=",".join((*evaluation.BASELINES, *ranking.METHODS)),
            help="comma-separated methods to measure (default: %(default)s)",
        )
        parser.add_argument(
            "--output", type=Path, help="also write the Markdown table to this file"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        methods = [m.strip() for m in options["methods"].split(",") if m.strip()]
        known = (*evaluation.BASELINES, *ranking.METHODS)
        unknown = [m for m in methods if m not in known]
        if unknown or not methods:
            raise CommandError(
                f"unknown method {', '.join(unknown) or '(none)'}; choose from {', '.join(known)}"
            )
        if options["readers"] < 1:
            raise CommandError("--readers must be at least 1")
        started = time.perf_counter()
        try:
            corpus = evaluation.load_corpus(
                options["listings"], options["embeddings"], options["hf_dir"]
            )
        except evaluation.DataError as exc:
            raise CommandError(
                f"{exc} (pass --listings and --embeddings; the project's copies live in "
                "../shared/data)"
            ) from None
        bar = tqdm(
            total=options["readers"],
            unit="reader",
            desc="Ranking for readers",
            leave=False,
            disable=options["no_progress"] or not sys.stderr.isatty(),
        )
        try:
            with bar:
                report, drawn = evaluation.evaluate(
                    corpus,
                    options["split"],
                    options["readers"],
                    methods=methods,
                    progress=bar.update,
                )
        except evaluation.DataError as exc:
            raise CommandError(str(exc)) from None
        text = evaluation.table(report, drawn, options["split"], time.perf_counter() - started)
        self.stdout.write(text)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
