"""The Hugging Face daily_papers importer (dailypapers/ingest: formats/hf_daily → loader → importing).

Small files written to tmp_path pin down each quirk; the real files in ../shared check
that the importer copes with what Hugging Face actually served, all 580 days of it.
"""

import ast
import datetime as dt
import gzip
import json
import re
import shutil
from collections import Counter

import pytest

from dailypapers.ingest.formats.hf_daily import parse_hf_daily_file
from dailypapers.ingest.importing import import_arxiv_jsonl, import_hf_daily
from dailypapers.papers.models import FeedEntry, Paper, PaperCategory

UTC = dt.UTC
AVATAR = (
    "https://cdn-avatars.huggingface.co/v1/production/uploads/6039478ab3ecf716b1a5fd4d/secret.jpeg"
)


def hf_user(name):
    """A Hugging Face user object as the API embeds it: personal data the import must drop."""
    return {
        "_id": f"user-id-of-{name}",
        "avatarUrl": AVATAR,
        "fullname": f"{name} Fullname",
        "user": name,
        "name": name,
        "type": "user",
        "isPro": True,
        "followerCount": 362,
    }


def hf_entry(arxiv_id, title=None, upvotes=0, authors=("Ada Lovelace", "Alan Turing"), **paper):
    """One `api/daily_papers` entry in the real shape (see 2026-08-21.json)."""
    body = {
        "id": arxiv_id,
        "authors": [
            {
                "_id": f"a{i}",
                "name": name,
                "hidden": False,
                "user": hf_user(f"u{i}"),
                "status": "claimed",
            }
            for i, name in enumerate(authors)
        ],
        "publishedAt": "2025-01-09T00:00:00.000Z",
        "title": f"Paper {arxiv_id}" if title is None else title,
        "summary": f"Abstract of {arxiv_id}.",
        "upvotes": upvotes,
        "discussionId": "6a87afc589e517cbfd75dbe0",
        **paper,
    }
    return {
        "paper": body,
        "publishedAt": "2025-01-09T20:00:00.000Z",
        "title": body["title"],
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{arxiv_id}.png",
        "numComments": 1,
        "submittedBy": hf_user("submitter"),
        "organization": {"_id": "org-id", "name": "google", "avatar": AVATAR},
    }


def write_day(directory, name, content):
    """Write one day file; `content` is JSON-dumped unless it is already text."""
    path = directory / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def fates(report):
    return {path.name: (fate, ok) for path, fate, ok in report.files}


def ranked_ids(day):
    entries = FeedEntry.objects.filter(day=day).ranked().select_related("paper")
    return [e.paper.arxiv_id for e in entries]


def dump_rows():
    """Every column of every imported row, for before/after comparisons."""
    return {
        model.__name__: list(
            model.objects.order_by("pk").values_list(
                *[f.attname for f in model._meta.concrete_fields]
            )
        )
        for model in (Paper, PaperCategory, FeedEntry)
    }


def load_real_day(path):
    """The entries of a real HF file, decoded independently of the importer."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data["data"]
    return [ast.literal_eval(item) if isinstance(item, str) else item for item in data]


# --- the ordinary shape ---------------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_a_day_as_feed_entries_in_the_files_order(tmp_path):
    write_day(
        tmp_path,
        "2025-01-13.json",
        [
            hf_entry("2501.00003", upvotes=30),
            hf_entry("2501.00001", upvotes=20),
            hf_entry("2501.00002", upvotes=20),
        ],
    )

    report = import_hf_daily([tmp_path])

    assert fates(report) == {"2025-01-13.json": ("3 entries", True)}
    assert report.papers.counts == Counter(created=3)
    assert report.entries.counts == Counter(created=3)
    # Ties on upvotes keep the file's order (position), not the id order.
    assert ranked_ids(dt.date(2025, 1, 13)) == ["2501.00003", "2501.00001", "2501.00002"]
    entry = FeedEntry.objects.get(paper__arxiv_id="2501.00001")
    assert (entry.upvotes, entry.position, entry.num_comments) == (20, 1, 1)


@pytest.mark.django_db
def test_it_stores_the_paper_fields_hugging_face_provides(tmp_path):
    write_day(
        tmp_path,
        "2025-06-02.json",
        [
            hf_entry(
                "2506.01234v2",
                title="  A Title\n  over two lines ",
                authors=("Grace  Hopper", "Edsger Dijkstra"),
                submittedOnDailyAt="2025-06-02T13:45:10.123Z",
                githubRepo="https://github.com/example/repo",
                githubStars=17,
                projectPage="https://example.org/project",
                ai_summary="A short machine summary.",
                ai_keywords=["diffusion", " world  models "],
                upvotes=5,
            )
        ],
    )

    import_hf_daily([tmp_path])

    paper = Paper.objects.get()
    assert paper.arxiv_id == "2506.01234"  # stored without its version
    assert paper.version == 2
    assert paper.title == "A Title over two lines"
    assert paper.abstract == "Abstract of 2506.01234v2."
    assert paper.authors == ["Grace Hopper", "Edsger Dijkstra"]
    assert paper.published == dt.datetime(2025, 1, 9, tzinfo=UTC)
    assert paper.github_repo == "https://github.com/example/repo"
    assert paper.github_stars == 17
    assert paper.project_page == "https://example.org/project"
    assert paper.ai_summary == "A short machine summary."
    assert paper.ai_keywords == ["diffusion", "world models"]
    assert paper.categories == [] and not PaperCategory.objects.exists()  # HF has no categories
    entry = FeedEntry.objects.get()
    assert entry.day == dt.date(2025, 6, 2)
    assert entry.submitted_at == dt.datetime(2025, 6, 2, 13, 45, 10, 123000, tzinfo=UTC)


@pytest.mark.django_db
def test_an_entry_without_submission_time_counts_as_submitted_at_the_start_of_its_day(tmp_path):
    write_day(tmp_path, "2024-06-03.json", [hf_entry("2406.00001")])

    import_hf_daily([tmp_path])

    assert FeedEntry.objects.get().submitted_at == dt.datetime(2024, 6, 3, tzinfo=UTC)


@pytest.mark.django_db
def test_it_ignores_links_that_are_not_http(tmp_path):
    write_day(
        tmp_path,
        "2025-06-02.json",
        [hf_entry("2506.00001", githubRepo="javascript:alert(1)", projectPage="ftp://example.org")],
    )

    import_hf_daily([tmp_path])

    paper = Paper.objects.get()
    assert (paper.github_repo, paper.project_page) == ("", "")


@pytest.mark.django_db
def test_it_reads_gzipped_day_files(tmp_path):
    path = tmp_path / "2025-01-13.json.gz"
    path.write_bytes(gzip.compress(json.dumps([hf_entry("2501.00001")]).encode()))

    report = import_hf_daily([path])

    assert fates(report) == {"2025-01-13.json.gz": ("1 entries", True)}
    assert ranked_ids(dt.date(2025, 1, 13)) == ["2501.00001"]


@pytest.mark.django_db
def test_a_paper_featured_on_two_days_gets_one_paper_and_an_entry_each_day(tmp_path):
    write_day(tmp_path, "2025-01-13.json", [hf_entry("2501.00001", upvotes=3)])
    write_day(tmp_path, "2025-01-20.json", [hf_entry("2501.00001", upvotes=40)])

    import_hf_daily([tmp_path])

    assert Paper.objects.count() == 1
    assert list(FeedEntry.objects.order_by("day").values_list("day", "upvotes")) == [
        (dt.date(2025, 1, 13), 3),
        (dt.date(2025, 1, 20), 40),
    ]


# --- quirks: every bad file or entry is reported, none stops the run ------------------------


@pytest.mark.django_db
def test_it_reads_entries_stored_as_python_repr_strings(tmp_path):
    entries = [
        hf_entry("2412.00001", title="Naïve “quotes” and 'apostrophes'", upvotes=9),
        hf_entry("2412.00002"),
    ]
    write_day(tmp_path, "2024-12-11.json", [repr(e) for e in entries])

    report = import_hf_daily([tmp_path])

    assert fates(report) == {"2024-12-11.json": ("2 entries (2 Python-repr entries)", True)}
    assert ranked_ids(dt.date(2024, 12, 11)) == ["2412.00001", "2412.00002"]
    assert Paper.objects.get(arxiv_id="2412.00001").title == "Naïve “quotes” and 'apostrophes'"


@pytest.mark.shared
@pytest.mark.django_db
def test_it_reads_the_real_python_repr_file(hf_dir):
    path = hf_dir / "2024-12-11.json"
    expected = load_real_day(path)
    assert all(isinstance(item, str) for item in json.loads(path.read_text())), "the quirk has gone"

    report = import_hf_daily([path])

    fate, ok = fates(report)["2024-12-11.json"]
    assert ok and fate == f"{len(expected)} entries ({len(expected)} Python-repr entries)"
    assert ranked_ids(dt.date(2024, 12, 11)) == [e["paper"]["id"] for e in expected]
    first = Paper.objects.get(arxiv_id=expected[0]["paper"]["id"])
    assert first.title == " ".join(expected[0]["paper"]["title"].split())
    assert first.authors == [a["name"] for a in expected[0]["paper"]["authors"]]


@pytest.mark.shared
@pytest.mark.django_db
def test_it_reads_the_real_wrapped_status_data_file(hf_dir):
    path = hf_dir / "2025-01-10.json"
    wrapper = json.loads(path.read_text())
    assert set(wrapper) >= {"status", "date", "count", "data"}, "the quirk has gone"
    expected = load_real_day(path)

    report = import_hf_daily([path])

    fate, ok = fates(report)["2025-01-10.json"]
    assert ok and fate.startswith(f"{wrapper['count']} entries (wrapped list")
    assert ranked_ids(dt.date(2025, 1, 10)) == [e["paper"]["id"] for e in expected]
    assert [e.upvotes for e in FeedEntry.objects.filter(day="2025-01-10").ranked()] == [
        e["paper"]["upvotes"] for e in expected
    ]


@pytest.mark.django_db
def test_it_reads_a_wrapped_list_and_takes_the_day_from_the_file_name(tmp_path):
    body = {"status": "success", "date": "1999-01-01", "count": 1, "data": [hf_entry("2501.00001")]}
    write_day(tmp_path, "2025-01-10.json", body)

    report = import_hf_daily([tmp_path])

    assert fates(report)["2025-01-10.json"] == ("1 entries (wrapped list)", True)
    assert FeedEntry.objects.get().day == dt.date(2025, 1, 10)


@pytest.mark.django_db
def test_it_skips_a_file_with_invalid_json_and_goes_on(tmp_path):
    write_day(tmp_path, "2025-01-13.json", '[{"paper": {"id": "2501.00009", ')
    write_day(tmp_path, "2025-01-14.json", [hf_entry("2501.00001")])

    report = import_hf_daily([tmp_path])

    fate, ok = fates(report)["2025-01-13.json"]
    assert not ok and fate.startswith("skipped: invalid JSON")
    assert fates(report)["2025-01-14.json"] == ("1 entries", True)
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["2501.00001"]


@pytest.mark.parametrize(
    "content, reason",
    [
        ("42", "top level is a int, not a list"),
        ('"a string"', "top level is a str, not a list"),
        ("null", "top level is a NoneType, not a list"),
        ("true", "top level is a bool, not a list"),
        ('{"status": "error", "error": "rate limited"}', "an object without a 'data' list"),
    ],
)
@pytest.mark.django_db
def test_it_skips_a_file_whose_top_level_is_not_a_list_of_entries(tmp_path, content, reason):
    write_day(tmp_path, "2025-01-13.json", content)
    write_day(tmp_path, "2025-01-14.json", [hf_entry("2501.00001")])

    report = import_hf_daily([tmp_path])

    assert fates(report) == {
        "2025-01-13.json": (f"skipped: {reason}", False),
        "2025-01-14.json": ("1 entries", True),
    }
    assert FeedEntry.objects.count() == 1


@pytest.mark.django_db
def test_it_skips_files_it_cannot_read_or_date(tmp_path):
    write_day(tmp_path, "latest.json", [hf_entry("2501.00009")])  # no day in the name
    (tmp_path / "2025-01-13.json.gz").write_bytes(gzip.compress(b"[]")[:-6])  # truncated
    (tmp_path / "2025-01-14.json").write_bytes(b"[\xff\xfe]")  # not UTF-8
    write_day(tmp_path, "2025-02-30.json", [hf_entry("2501.00008")])  # no such day
    write_day(tmp_path, "2025-01-16.json", "[" * 100_000 + "]" * 100_000)
    write_day(tmp_path, "2025-01-15.json", [hf_entry("2501.00001")])

    report = import_hf_daily([tmp_path])

    result = fates(report)
    assert result["latest.json"] == (
        "skipped: cannot tell the feed day (name the file YYYY-MM-DD.json)",
        False,
    )
    assert result["2025-01-13.json.gz"][0].startswith("skipped: unreadable")
    assert result["2025-01-14.json"][0].startswith("skipped: unreadable")
    assert result["2025-02-30.json"] == ("skipped: bad date '2025-02-30'", False)
    assert result["2025-01-16.json"] == ("skipped: invalid JSON: nested too deeply", False)
    assert result["2025-01-15.json"] == ("1 entries", True)
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["2501.00001"]


@pytest.mark.django_db
def test_it_skips_an_entry_without_a_title_or_id_and_keeps_the_others(tmp_path):
    no_title = hf_entry("2501.00002", title="")
    del no_title["title"]
    no_id = hf_entry("2501.00003")
    del no_id["paper"]["id"]
    write_day(
        tmp_path,
        "2025-01-13.json",
        [
            hf_entry("2501.00001", upvotes=9),
            no_title,
            no_id,
            hf_entry("not-an-id"),
            {"no": "paper"},
            "just text",
            17,
            hf_entry("2501.00004", upvotes=1),
        ],
    )

    report = import_hf_daily([tmp_path])

    fate, ok = fates(report)["2025-01-13.json"]
    assert ok
    assert fate.startswith("2 entries (")
    assert "entry 2 skipped: missing title" in fate
    assert "entry 3 skipped: not an arXiv id: None" in fate
    assert "entry 4 skipped: not an arXiv id: 'not-an-id'" in fate
    assert "entry 5 skipped: entry has no paper object" in fate
    assert "entry 6 skipped: unreadable Python-repr entry" in fate
    assert "entry 7 skipped: entry is a int, not an object" in fate
    # The survivors keep their places in the source listing.
    assert list(FeedEntry.objects.ranked().values_list("paper__arxiv_id", "position")) == [
        ("2501.00001", 0),
        ("2501.00004", 7),
    ]


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("upvotes", "many", "expected a number, got 'many'"),
        ("upvotes", -3, "negative count -3"),
        ("upvotes", 1e400, "expected a number, got inf"),  # json.dumps writes Infinity
        ("upvotes", 3_000_000_000, "number too large: 3000000000"),
        ("id", "2501.00001v123456", "not an arXiv id: '2501.00001v123456'"),
        ("authors", "Ada Lovelace", "authors is not a list"),
        ("authors", [{"name": 7}], "expected text, got int"),
        ("ai_keywords", "one, two", "ai_keywords is not a list"),
        ("title", ["a", "list"], "expected text, got list"),
        ("publishedAt", "yesterday", "bad timestamp 'yesterday'"),
    ],
)
@pytest.mark.django_db
def test_it_skips_an_entry_with_a_malformed_field(tmp_path, field, value, reason):
    bad = hf_entry("2501.00001")
    bad["paper"][field] = value
    write_day(tmp_path, "2025-01-13.json", [bad, hf_entry("2501.00002")])

    report = import_hf_daily([tmp_path])

    assert fates(report)["2025-01-13.json"] == (f"1 entries (entry 1 skipped: {reason})", True)
    assert ranked_ids(dt.date(2025, 1, 13)) == ["2501.00002"]


@pytest.mark.parametrize(
    "text, error",
    [
        ("{'paper': {'id': '2501.00009', 'title': 'unterminated}}", "SyntaxError"),
        ("{[1]: 'unhashable key'}", "TypeError"),
        ("{'paper': {'id': '2501.00009', 'title': title}}", "ValueError"),  # a name, not a literal
        ("(" * 200_000 + ")" * 200_000, None),  # too deep: RecursionError or MemoryError
    ],
)
@pytest.mark.django_db
def test_it_skips_a_malformed_python_repr_entry_and_keeps_the_others(tmp_path, text, error):
    write_day(
        tmp_path,
        "2024-12-11.json",
        [repr(hf_entry("2412.00001")), text, repr(hf_entry("2412.00002"))],
    )

    report = import_hf_daily([tmp_path])

    fate, ok = fates(report)["2024-12-11.json"]
    assert ok and fate.startswith("2 entries (")
    assert "entry 2 skipped: unreadable Python-repr entry (" + (error or "") in fate
    assert ranked_ids(dt.date(2024, 12, 11)) == ["2412.00001", "2412.00002"]


@pytest.mark.django_db
def test_it_refuses_an_oversized_python_repr_entry_unread(tmp_path, monkeypatch):
    small = repr(hf_entry("2412.00002"))
    monkeypatch.setattr("dailypapers.ingest.formats.hf_daily.MAX_REPR_CHARS", len(small) + 100)
    write_day(tmp_path, "2024-12-11.json", [repr(hf_entry("2412.00001", title="x" * 200)), small])

    report = import_hf_daily([tmp_path])

    assert fates(report)["2024-12-11.json"] == (
        "1 entries (1 Python-repr entries; entry 1 skipped: Python-repr entry too large)",
        True,
    )


@pytest.mark.django_db
def test_python_repr_entries_are_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    payloads = [
        f"__import__('os').system('touch {marker}')",
        f"{{'paper': {{'id': '2412.00009', 'title': __import__('os').system('touch {marker}')}}}}",
        f"(lambda: open('{marker}', 'w'))()",
        f"[x for x in [open('{marker}', 'w')]]",
    ]
    write_day(tmp_path, "2024-12-11.json", [*payloads, repr(hf_entry("2412.00001"))])

    report = import_hf_daily([tmp_path])

    assert not marker.exists()
    fate, ok = fates(report)["2024-12-11.json"]
    assert ok
    for number in range(1, len(payloads) + 1):
        assert f"entry {number} skipped: unreadable Python-repr entry (ValueError)" in fate
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["2412.00001"]


@pytest.mark.django_db
def test_it_skips_a_paper_listed_twice_in_one_file(tmp_path):
    write_day(
        tmp_path,
        "2025-01-13.json",
        [
            hf_entry("2501.00001", upvotes=5),
            hf_entry("2501.00002"),
            hf_entry("2501.00001v2", upvotes=1),
        ],
    )

    report = import_hf_daily([tmp_path])

    assert fates(report)["2025-01-13.json"] == (
        "2 entries (entry 3 skipped: 2501.00001 listed twice)",
        True,
    )
    assert FeedEntry.objects.get(paper__arxiv_id="2501.00001").upvotes == 5


def test_the_parser_never_raises_on_a_missing_file(tmp_path):
    result = parse_hf_daily_file(tmp_path / "2025-01-13.json")

    assert result.entries == []
    assert result.error.startswith("unreadable:")


# --- personal fields ---------------------------------------------------------------------------


def stored_text(rows=None):
    """Everything the import stored, as one string to search."""
    return repr(rows or dump_rows())


def assert_nothing_personal_is_stored(user_ids=(), rows=None):
    """No avatar, user object or HF user id anywhere in the stored rows (paper texts may
    well mention avatars, so look for the traces of user objects, not the word)."""
    text = stored_text(rows)
    for needle in ("cdn-avatars.huggingface.co", "/avatars/", "user-id-of"):
        assert needle not in text
    assert not re.search(r"\b(avatarUrl|isPro|followerCount|statusLastChangedAt)\b", text)
    assert not set(re.findall(r"[0-9a-f]{24}", text)) & set(user_ids)


def hf_user_ids(items):
    """The `_id`s of every Hugging Face user object in some real entries."""
    ids = set()
    for item in items:
        paper = item["paper"]
        users = [item.get("submittedBy"), paper.get("submittedOnDailyBy")]
        users += [a.get("user") for a in paper["authors"]]
        ids.update(user["_id"] for user in users if isinstance(user, dict) and "_id" in user)
    return ids


@pytest.mark.django_db
def test_it_drops_hugging_face_user_objects_and_avatars(tmp_path):
    write_day(
        tmp_path, "2025-01-13.json", [hf_entry("2501.00001", submittedOnDailyBy=hf_user("daily"))]
    )
    write_day(tmp_path, "2024-12-11.json", [repr(hf_entry("2412.00001"))])

    import_hf_daily([tmp_path])

    assert_nothing_personal_is_stored()
    for paper in Paper.objects.all():
        assert paper.authors == ["Ada Lovelace", "Alan Turing"]


@pytest.mark.django_db
def test_it_drops_the_submitters_hugging_face_username(tmp_path, client):
    write_day(tmp_path, "2025-01-13.json", [
        hf_entry("2501.00001", submittedOnDailyBy=hf_user("akhaliq")),  # and submittedBy "submitter"
    ])  # fmt: skip
    import_hf_daily([tmp_path])
    entry = FeedEntry.objects.get()
    assert entry.submitter_name == "" and entry.submitted_by is None
    assert "akhaliq" not in stored_text() and "submitter" not in stored_text()
    [served] = client.get("/api/daily_papers?date=2025-01-13").json()
    assert "submittedBy" not in served and "submittedOnDailyBy" not in served["paper"]


@pytest.mark.django_db
def test_re_importing_a_day_keeps_a_local_submitter(tmp_path):
    from tests.factories import make_entry, make_member, make_paper

    alice = make_member("alice")
    make_entry("2025-01-13", paper=make_paper(arxiv_id="2501.00001"), submitted_by=alice)
    write_day(tmp_path, "2025-01-13.json", [hf_entry("2501.00001", upvotes=3)])
    import_hf_daily([tmp_path])
    entry = FeedEntry.objects.get()
    assert entry.submitted_by == alice and entry.submitter_name == "alice"


@pytest.mark.shared
@pytest.mark.django_db
def test_it_drops_personal_fields_from_real_files(hf_dir, tmp_path):
    # A Python-repr day, the wrapped day and a recent day with organisations and user objects.
    names = ["2024-12-11.json", "2025-01-10.json", "2026-08-21.json"]
    for name in names:
        shutil.copy(hf_dir / name, tmp_path / name)
        assert "avatarUrl" in (tmp_path / name).read_text()

    import_hf_daily([tmp_path])

    items = [item for name in names for item in load_real_day(tmp_path / name)]
    assert len(hf_user_ids(items)) > 50
    assert_nothing_personal_is_stored(hf_user_ids(items))
    for name in names:
        for item in load_real_day(tmp_path / name):
            paper = Paper.objects.get(arxiv_id=item["paper"]["id"])
            assert paper.authors == [" ".join(a["name"].split()) for a in item["paper"]["authors"]]


# --- re-imports -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_import_reports_everything_unchanged_and_writes_nothing(tmp_path):
    write_day(
        tmp_path, "2025-01-13.json", [hf_entry("2501.00001", upvotes=2), hf_entry("2501.00002")]
    )
    write_day(tmp_path, "2025-01-14.json", [hf_entry("2501.00001", upvotes=5)])
    import_hf_daily([tmp_path])
    before = dump_rows()

    report = import_hf_daily([tmp_path])

    assert report.papers.counts == Counter(unchanged=2)
    assert report.entries.counts == Counter(unchanged=3)
    assert dump_rows() == before


@pytest.mark.django_db
def test_new_upvotes_update_the_entry_but_not_the_paper(tmp_path):
    path = write_day(tmp_path, "2025-01-13.json", [hf_entry("2501.00001", upvotes=2)])
    import_hf_daily([path])
    paper_before = dump_rows()["Paper"]
    write_day(tmp_path, "2025-01-13.json", [hf_entry("2501.00001", upvotes=12)])

    report = import_hf_daily([path])

    assert report.papers.counts == Counter(unchanged=1)
    assert report.entries.counts == Counter(updated=1)
    assert FeedEntry.objects.get().upvotes == 12
    assert dump_rows()["Paper"] == paper_before


@pytest.mark.parametrize("batch_size", [1, 2000])
@pytest.mark.django_db
def test_re_importing_an_earlier_day_does_not_roll_back_a_paper_seen_later(tmp_path, batch_size):
    # 2501.00001 is featured twice; by the second day it has a repository and more stars.
    write_day(
        tmp_path,
        "2025-01-13.json",
        [hf_entry("2501.00001", githubStars=2, ai_summary="Old summary.")],
    )
    write_day(tmp_path, "2025-01-14.json", [hf_entry("2501.00002")])
    write_day(
        tmp_path,
        "2025-01-20.json",
        [hf_entry("2501.00001", githubStars=34, ai_summary="New summary.")],
    )
    import_hf_daily([tmp_path], batch_size=batch_size)
    before = dump_rows()

    everything = import_hf_daily([tmp_path], batch_size=batch_size)
    earlier_day = import_hf_daily([tmp_path / "2025-01-13.json"], batch_size=batch_size)

    assert everything.papers.counts.keys() == {"unchanged"}
    assert everything.entries.counts == Counter(unchanged=3)
    assert earlier_day.papers.counts == Counter(unchanged=1)
    assert dump_rows() == before
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert (paper.github_stars, paper.ai_summary) == (34, "New summary.")


@pytest.mark.django_db
def test_days_imported_out_of_order_leave_the_latest_days_paper_data(tmp_path):
    early = write_day(tmp_path, "2025-01-13.json", [hf_entry("2501.00001", githubStars=2)])
    late = write_day(tmp_path, "2025-01-20.json", [hf_entry("2501.00001", githubStars=34)])

    import_hf_daily([late, early])

    assert Paper.objects.get().github_stars == 34
    assert FeedEntry.objects.count() == 2


# --- acceptance: all the real data -----------------------------------------------------------


@pytest.mark.shared
@pytest.mark.django_db
def test_it_imports_every_real_day_in_order_and_a_second_import_changes_nothing(hf_dir):
    paths = sorted(hf_dir.glob("*.json"))
    assert len(paths) == 580

    # Batches of 500 entries: 20 transactions, and papers featured twice (2606.11176 on
    # 2026-06-10 and 2026-06-16, with different githubStars) land in different batches.
    report = import_hf_daily([hf_dir], batch_size=500)

    assert len(report.files) == 580
    assert [path.name for path, _, _ in report.files] == [p.name for p in paths]
    assert [fate for _, fate, ok in report.files if not ok] == []
    assert report.papers.counts["skipped"] == report.entries.counts["skipped"] == 0
    assert Paper.objects.count() == 9877
    assert FeedEntry.objects.count() == report.records_read == 9881

    user_ids = set()
    for path in paths:
        day = dt.date.fromisoformat(path.stem)
        items = load_real_day(path)
        stored = list(
            FeedEntry.objects.filter(day=day).ranked().values_list("paper__arxiv_id", "upvotes")
        )
        assert stored == [(e["paper"]["id"], e["paper"]["upvotes"]) for e in items], path.name
        user_ids |= hf_user_ids(items)

    before = dump_rows()
    assert_nothing_personal_is_stored(user_ids, before)

    again = import_hf_daily([hf_dir], batch_size=500)

    assert [fate for _, fate, ok in again.files] == [fate for _, fate, ok in report.files]
    assert again.papers.counts.keys() == {"unchanged"}
    assert again.entries.counts == Counter(unchanged=9881)
    assert dump_rows() == before


# --- merging with arXiv -------------------------------------------------------------------


def write_arxiv_snapshot(path, arxiv_id):
    record = {
        "id": arxiv_id,
        "authors": "Ada Lovelace and Alan Turing",
        "title": f"Paper {arxiv_id}",
        "comments": "12 pages, 3 figures",
        "journal-ref": "Proc. Imaginary Conf. 2025",
        "doi": "10.1000/example",
        "categories": "cs.CL cs.AI",
        "license": "http://creativecommons.org/licenses/by/4.0/",
        "abstract": f"Abstract of {arxiv_id}.",
        "versions": [
            {"version": "v1", "created": "Thu, 9 Jan 2025 10:00:00 GMT"},
            {"version": "v2", "created": "Fri, 10 Jan 2025 11:00:00 GMT"},
        ],
        "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", ""]],
    }
    path.write_text(json.dumps(record) + "\n")
    return path


ARXIV_ONLY = (
    "version",
    "categories",
    "primary_category",
    "updated",
    "comment",
    "journal_ref",
    "doi",
    "license",
)


@pytest.mark.django_db
def test_an_hf_entry_for_an_arxiv_paper_keeps_the_arxiv_fields_and_adds_its_own(tmp_path):
    import_arxiv_jsonl(write_arxiv_snapshot(tmp_path / "arxiv.jsonl", "2501.00001"))
    arxiv_values = Paper.objects.values(*ARXIV_ONLY).get()
    write_day(
        tmp_path,
        "2025-01-13.json",
        [
            hf_entry(
                "2501.00001",
                githubRepo="https://github.com/example/repo",
                githubStars=5,
                projectPage="https://example.org",
                ai_summary="Summary by a model.",
                ai_keywords=["parsing"],
                upvotes=7,
            )
        ],
    )

    report = import_hf_daily([tmp_path / "2025-01-13.json"])

    assert report.papers.counts == Counter(updated=1)
    assert report.entries.counts == Counter(created=1)
    paper = Paper.objects.get()
    assert Paper.objects.values(*ARXIV_ONLY).get() == arxiv_values
    assert (
        arxiv_values["categories"] == ["cs.CL", "cs.AI"]
        and arxiv_values["doi"] == "10.1000/example"
    )
    assert sorted(paper.category_rows.values_list("category", flat=True)) == ["cs.AI", "cs.CL"]
    assert (paper.github_repo, paper.github_stars, paper.project_page) == (
        "https://github.com/example/repo", 5, "https://example.org",
    )  # fmt: skip
    assert (paper.ai_summary, paper.ai_keywords) == ("Summary by a model.", ["parsing"])
    assert FeedEntry.objects.get().paper == paper


@pytest.mark.django_db
def test_an_arxiv_import_after_hf_keeps_the_github_and_ai_fields(tmp_path):
    write_day(
        tmp_path,
        "2025-01-13.json",
        [
            hf_entry(
                "2501.00001",
                githubRepo="https://github.com/example/repo",
                githubStars=5,
                ai_summary="S.",
            )
        ],
    )
    import_hf_daily([tmp_path / "2025-01-13.json"])

    import_arxiv_jsonl(write_arxiv_snapshot(tmp_path / "arxiv.jsonl", "2501.00001"))

    paper = Paper.objects.get()
    assert (paper.github_repo, paper.github_stars, paper.ai_summary) == (
        "https://github.com/example/repo",
        5,
        "S.",
    )
    assert (paper.version, paper.categories, paper.doi) == (
        2,
        ["cs.CL", "cs.AI"],
        "10.1000/example",
    )
    assert FeedEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("hf_first", [True, False])
def test_arxiv_text_wins_over_hf_text_in_any_order_and_settles(tmp_path, hf_first):
    # The same paper with a different title and abstract in each source (as for 641 of the
    # real papers): alternating imports must settle, not flip back and forth.
    write_day(
        tmp_path, "2025-01-13.json", [hf_entry("2501.00001", title="HF title", githubStars=5)]
    )
    arxiv_file = write_arxiv_snapshot(tmp_path / "arxiv.jsonl", "2501.00001")

    def hf():
        return import_hf_daily([tmp_path / "2025-01-13.json"])

    def arxiv():
        return import_arxiv_jsonl(arxiv_file)

    first, second = (hf, arxiv) if hf_first else (arxiv, hf)
    first()
    second()
    paper = Paper.objects.get()
    assert (paper.title, paper.abstract) == ("Paper 2501.00001", "Abstract of 2501.00001.")
    assert paper.metadata_source == "arxiv" and paper.github_stars == 5
    rows = dump_rows()
    assert hf().papers.counts == Counter(unchanged=1)
    assert arxiv().papers.counts == Counter(unchanged=1)
    assert dump_rows() == rows


@pytest.mark.django_db
def test_a_later_hf_day_without_github_or_ai_fields_does_not_clear_them(tmp_path):
    write_day(
        tmp_path,
        "2025-01-13.json",
        [
            hf_entry(
                "2501.00001",
                githubRepo="https://github.com/example/repo",
                githubStars=5,
                ai_keywords=["a"],
            )
        ],
    )
    # A later day in the old shape, without those fields.
    write_day(tmp_path, "2025-01-20.json", [hf_entry("2501.00001", upvotes=50)])

    import_hf_daily([tmp_path], batch_size=1)

    paper = Paper.objects.get()
    assert (paper.github_repo, paper.github_stars, paper.ai_keywords) == (
        "https://github.com/example/repo",
        5,
        ["a"],
    )
