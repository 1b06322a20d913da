"""`dailypapers import`: what the operator sees (per-file fates, bad lines, the summary)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dailypapers.papers.models import FeedEntry, Paper


def entry(arxiv_id, upvotes=0):
    return {
        "paper": {
            "id": arxiv_id,
            "title": f"Paper {arxiv_id}",
            "authors": [{"name": "Ada"}],
            "upvotes": upvotes,
        }
    }


def run(*args):
    out = StringIO()
    call_command("import", *map(str, args), stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def hf_days(tmp_path):
    days = tmp_path / "hf"
    days.mkdir()
    (days / "2025-01-13.json").write_text(
        json.dumps([entry("2501.00001", 3), entry("2501.00002", 1)])
    )
    (days / "2025-01-14.json").write_text("{oops")
    (days / "2025-01-15.json").write_text(
        json.dumps([entry("2501.00001", 9), {"paper": {"id": "2501.00003"}}])
    )
    return days


@pytest.fixture
def arxiv_file(tmp_path):
    lines = [
        {
            "id": "2503.00001",
            "title": "One",
            "summary": "S.",
            "listing_date": "2025-03-18",
            "categories": ["cs.CL"],
        },
        "not json",
        {
            "id": "2503.00002",
            "title": "Two",
            "summary": "S.",
            "listing_date": "2025-03-18",
            "categories": ["cs.CV"],
        },
    ]
    path = tmp_path / "listing.jsonl"
    path.write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines))
    return path


@pytest.mark.django_db
def test_hf_daily_prints_each_files_fate_and_a_summary(hf_days):
    lines = run("hf-daily", hf_days, "--no-progress")

    assert lines[0] == "2025-01-13.json: 2 entries"
    assert lines[1].startswith("2025-01-14.json: skipped: invalid JSON")
    assert lines[2] == "2025-01-15.json: 1 entries (entry 2 skipped: missing title)"
    assert lines[3:] == [
        "3 file(s) read, 1 skipped; 3 records",
        "papers: 2 created, 0 updated, 0 unchanged, 0 skipped",
        "feed entries: 3 created, 0 updated, 0 unchanged, 0 skipped",
    ]
    assert FeedEntry.objects.count() == 3


@pytest.mark.django_db
def test_hf_daily_run_twice_reports_everything_unchanged(hf_days):
    run("hf-daily", hf_days)

    lines = run("hf-daily", hf_days)

    assert lines[-2:] == [
        "papers: 0 created, 0 updated, 2 unchanged, 0 skipped",
        "feed entries: 0 created, 0 updated, 3 unchanged, 0 skipped",
    ]


@pytest.mark.django_db
def test_quiet_prints_only_the_failures_and_the_summary(hf_days):
    lines = run("hf-daily", hf_days / "2025-01-13.json", hf_days / "2025-01-14.json", "--quiet")

    assert len(lines) == 4
    assert lines[0].startswith("2025-01-14.json: skipped: invalid JSON")
    assert lines[1] == "2 file(s) read, 1 skipped; 2 records"


@pytest.mark.django_db
def test_arxiv_prints_bad_lines_with_their_numbers_and_a_summary(arxiv_file):
    lines = run("arxiv", arxiv_file, "--batch-size", 1)

    assert lines[0] == "listing.jsonl: 2 records"
    assert lines[1].startswith("listing.jsonl:2: skipped: invalid JSON")
    assert lines[2:] == [
        "1 file(s) read, 0 skipped; 2 records",
        "papers: 2 created, 0 updated, 0 unchanged, 1 skipped (1 × malformed line)",
    ]
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == ["2503.00001", "2503.00002"]
    assert not FeedEntry.objects.exists()  # the arXiv import fills the catalogue only


@pytest.mark.django_db
def test_arxiv_reports_each_file_it_is_given(arxiv_file, tmp_path):
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"id": "2503.00003", "title": "Three", "summary": "S."}) + "\n")

    lines = run("arxiv", arxiv_file, other)

    assert "listing.jsonl: 2 records" in lines
    assert "other.jsonl: 1 records" in lines
    assert Paper.objects.count() == 3


@pytest.mark.django_db
def test_it_refuses_a_missing_path_and_names_it(tmp_path, hf_days):
    missing = tmp_path / "nowhere" / "2025-01-13.json"

    with pytest.raises(CommandError, match=f"no such file or directory: {missing}"):
        run("hf-daily", hf_days, missing)
    with pytest.raises(CommandError, match="no such file or directory"):
        run("arxiv", missing)
    assert not Paper.objects.exists()  # nothing was imported from the good path either


@pytest.mark.django_db
def test_it_refuses_a_batch_size_below_one(hf_days):
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        run("hf-daily", hf_days, "--batch-size", 0)


def test_it_needs_a_source_and_a_path():
    with pytest.raises(CommandError):
        call_command("import")
    with pytest.raises(CommandError):
        call_command("import", "hf-daily")
    with pytest.raises(CommandError):
        call_command("import", "rss", "feed.xml")
