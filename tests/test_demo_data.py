"""The bundled demo data: loaded only into an empty catalogue, announced while shown."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from dailypapers.core.models import DemoData
from dailypapers.ingest.importing import import_arxiv_jsonl, import_hf_daily
from dailypapers.papers.models import FeedEntry, Paper, PaperCategory
from tests.test_import_arxiv import listing_record, write_jsonl

pytestmark = pytest.mark.django_db

DEMO_DIR = Path(__file__).resolve().parents[1] / "dailypapers" / "demo" / "hf_daily"
BANNER = 'class="demo-banner'


def dump():
    """Every row an import or load-demo writes, in a comparable form."""
    return (
        sorted(Paper.objects.values_list(
            "arxiv_id", "title", "abstract", "authors", "github_stars", "metadata_source", "updated_at"
        )),
        sorted(FeedEntry.objects.values_list(
            "paper__arxiv_id", "day", "position", "submitter_name", "upvotes", "imported_upvotes",
            "num_comments", "updated_at",
        )),
        sorted(PaperCategory.objects.values_list("paper__arxiv_id", "category")),
    )  # fmt: skip


def real_hf_day(tmp_path, day="2026-08-10"):
    """A Hugging Face day file of real shape, whose paper is also on a demo day with other
    counts: a demo load over it would rewrite them."""
    from dailypapers.ingest.formats import open_bytes

    with open_bytes(sorted(DEMO_DIR.glob("*.json.gz"))[0]) as fh:
        items = json.load(fh)
    item = items[0]
    item["paper"]["upvotes"] = 12345
    path = tmp_path / f"{day}.json"
    path.write_text(json.dumps([item]))
    return path


def test_load_demo_fills_an_empty_catalogue_and_the_site_says_it_is_demo_data(client):
    call_command("load-demo")
    row = DemoData.objects.get()
    assert row.complete and str(row.first_day) == "2026-07-27" and row.last_day > row.first_day
    html = client.get("/").content.decode()
    assert BANNER in html and "Demo data." in html and "27 Jul 2026" in html


def test_a_restart_after_a_real_import_changes_nothing(tmp_path, client):
    """`make run` runs load-demo at every start: after a real import it must leave it alone."""
    import_hf_daily([real_hf_day(tmp_path)])
    import_arxiv_jsonl(write_jsonl(tmp_path / "a.jsonl", [listing_record("2503.00001")]))
    before = dump()
    call_command("load-demo")
    assert dump() == before
    assert not DemoData.objects.exists()
    assert BANNER not in client.get("/").content.decode()


def test_a_real_import_after_the_demo_ends_the_demo_state(tmp_path, client):
    call_command("load-demo")
    assert BANNER in client.get("/").content.decode()
    import_arxiv_jsonl(write_jsonl(tmp_path / "a.jsonl", [listing_record("2503.00001")]))
    assert not DemoData.objects.exists()
    assert BANNER not in client.get("/").content.decode()
    before = dump()
    call_command("load-demo")
    assert dump() == before


def test_re_importing_only_known_records_is_no_real_data(tmp_path):
    call_command("load-demo")
    import_hf_daily([DEMO_DIR])  # the same days again: nothing written
    assert DemoData.objects.get().complete


def test_force_loads_the_demo_into_a_catalogue_with_papers(tmp_path, client):
    import_arxiv_jsonl(write_jsonl(tmp_path / "a.jsonl", [listing_record("2503.00001")]))
    call_command("load-demo", "--force")
    assert FeedEntry.objects.values("day").distinct().count() == 20
    assert Paper.objects.filter(arxiv_id="2503.00001").exists()
    assert BANNER in client.get("/").content.decode()


def test_an_interrupted_demo_load_is_completed_by_the_next(client):
    DemoData.objects.create(complete=False)  # what a load killed half-way leaves
    call_command("load-demo")
    assert FeedEntry.objects.values("day").distinct().count() == 20
    assert DemoData.objects.get().complete
