"""`dailypapers fetch ID_OR_URL…` — add or refresh papers by arXiv id through arXiv's API.

    dailypapers fetch 2104.12255 hep-th/9901001v2 https://arxiv.org/abs/1707.08567
    dailypapers fetch https://arxiv.org/pdf/2104.12255v1.pdf

Run it by hand when a paper is missing or stale; safe to re-run (unchanged papers write
nothing, an older version never replaces a newer one). It waits ARXIV_REQUEST_INTERVAL
seconds between requests to arXiv (3 by default, as arXiv asks). Exits with status 1
when any id was not found or failed.
"""

from django.core.management.base import BaseCommand, CommandError

from dailypapers.core.migrations_state import require_migrated
from dailypapers.ingest.arxiv_api import fetch_papers
from dailypapers.search.indexing import add_embed_argument, embed_after_ingest


class Command(BaseCommand):
    help = (
        "Fetch papers from arXiv's API by id and add them to the catalogue, or update them "
        "when arXiv has a newer version. Accepts new-style (2104.12255) and old-style "
        "(hep-th/9901001) ids, with or without a version (v2), and arxiv.org abs/pdf URLs. "
        "Safe to re-run; waits ARXIV_REQUEST_INTERVAL seconds (default 3) between requests, "
        "up to 100 ids per request. Prints what became of each id and a summary; exits "
        "non-zero if any id was not found or failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "ids",
            nargs="+",
            metavar="ID_OR_URL",
            help="an arXiv id (2104.12255, 2104.12255v1, hep-th/9901001) or abs/pdf URL",
        )
        add_embed_argument(parser)

    def handle(self, *args, ids, no_embed, **options):
        require_migrated()
        results = fetch_papers(ids)
        for result in results:
            line = str(result)
            self.stdout.write(self.style.ERROR(line) if result.failed else line)
        counts = {}
        for result in results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        order = ("created", "updated", "unchanged", "skipped", "not found", "error")
        summary = ", ".join(f"{counts.get(name, 0)} {name}" for name in order)
        self.stdout.write(f"papers: {summary}")
        embed_after_ingest(self.stdout.write, no_embed=no_embed)
        failed = sum(result.failed for result in results)
        if failed:
            raise CommandError(f"{failed} of {len(results)} id(s) not fetched", returncode=1)
