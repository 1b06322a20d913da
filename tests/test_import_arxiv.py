"""The arXiv JSONL importer: the bulk-snapshot and the daily-listing formats, plain or gzip.

The real files in ../shared are checked record by record against an independent reading
of the same lines; small files in tmp_path pin down bad lines, versions and old-style ids.
"""

import datetime as dt
import gzip
import itertools
import json
import re
from collections import Counter
from email.utils import parsedate_to_datetime

import pytest

from dailypapers.ingest.batches import MAX_LISTED_BAD_LINES
from dailypapers.ingest.importing import import_arxiv_jsonl
from dailypapers.papers.models import FeedEntry, Paper, PaperCategory

UTC = dt.UTC
V1 = "Mon, 2 Apr 2007 19:18:42 GMT"  # the creation times of 0704.0001 v1 and v2
V2 = "Tue, 24 Jul 2007 20:10:27 GMT"
LISTING_LINES = 2000  # enough for batching to matter, few enough to stay quick
# What an arXiv category looks like (cs.CV, hep-th, cond-mat.stat-mech), unlike the MSC and
# ACM classes (68T45, I.2.7) that the listings mix into their category lists.
ARXIV_CATEGORY = re.compile(r"[a-z]+(-[a-z]+)?(\.[A-Za-z]+(-[a-z]+)?)?")


def snapshot_record(arxiv_id, versions=(V1,), **fields):
    """One line of the Kaggle arXiv snapshot; `versions` are the creation times of v1, v2, …"""
    record = {
        "id": arxiv_id,
        "submitter": "Some One",
        "authors": "Ada Lovelace and Alan Turing",
        "title": f"Title of {arxiv_id}",
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "hep-th",
        "license": None,
        "abstract": f"  The abstract of\n{arxiv_id}.\n",
        "versions": [
            {"version": f"v{n}", "created": when} for n, when in enumerate(versions, start=1)
        ],
        "update_date": "2008-11-26",
        "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", ""]],
    }
    record.update(fields)
    return record


def listing_record(arxiv_id, **fields):
    """One line of the daily listings (arxiv_listings.jsonl.gz)."""
    record = {
        "id": arxiv_id,
        "listing_date": "2025-03-18",
        "pdf": f"https://arxiv.org/pdf/{arxiv_id}",
        "abs": f"https://arxiv.org/abs/{arxiv_id}",
        "authors": ["Grace Hopper", "Edsger W. Dijkstra"],
        "title": f"Title of {arxiv_id}",
        "categories": ["cs.CL", "cs.AI"],
        "comment": None,
        "summary": f"Summary of\n{arxiv_id}.",
        "seen_dates": ["2025-03-18"],
    }
    record.update(fields)
    return record


def write_jsonl(path, lines):
    """Write one line per item: dicts are JSON-dumped, text and bytes are written as they are."""
    with open(path, "wb") as fh:
        for line in lines:
            if isinstance(line, dict):
                line = json.dumps(line)
            fh.write((line if isinstance(line, bytes) else line.encode()) + b"\n")
    return path


def dump_rows():
    return {
        model.__name__: list(
            model.objects.order_by("pk").values_list(
                *[f.attname for f in model._meta.concrete_fields]
            )
        )
        for model in (Paper, PaperCategory, FeedEntry)
    }


def categories_by_paper():
    rows = PaperCategory.objects.values_list("paper__arxiv_id", "category")
    result = {}
    for arxiv_id, category in rows:
        result.setdefault(arxiv_id, set()).add(category)
    return result


def real_lines(path, count=None):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in itertools.islice(fh, count)]


@pytest.fixture
def listings_sample(listings_file, tmp_path):
    """The first LISTING_LINES lines of the real listings, as plain text."""
    with gzip.open(listings_file, "rb") as fh:
        head = b"".join(itertools.islice(fh, LISTING_LINES))
    path = tmp_path / "listings.jsonl"
    path.write_bytes(head)
    return path


# --- the real files -----------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.django_db
def test_it_imports_every_record_of_the_real_snapshot_sample(snapshot_file):
    expected = real_lines(snapshot_file)

    report = import_arxiv_jsonl(snapshot_file)

    assert report.files == [(snapshot_file, "1000 records", True)]
    assert report.bad_lines == []
    assert report.papers.counts == Counter(created=1000)
    papers = {p.arxiv_id: p for p in Paper.objects.all()}
    stored_categories = categories_by_paper()
    assert len(papers) == len(expected) == 1000
    for record in expected:
        paper = papers[record["id"]]
        versions = sorted(record["versions"], key=lambda v: int(v["version"][1:]))
        assert paper.version == len(versions) == int(versions[-1]["version"][1:])
        assert paper.published == parsedate_to_datetime(versions[0]["created"])
        assert paper.updated == parsedate_to_datetime(versions[-1]["created"])
        assert paper.title == " ".join(record["title"].split())
        assert paper.categories == record["categories"].split()
        assert paper.primary_category == record["categories"].split()[0]
        assert stored_categories[paper.arxiv_id] == set(record["categories"].split())
        # "Last, First, Suffix[, affiliation]" becomes "First Last Suffix".
        assert paper.authors == [
            " ".join(" ".join(filter(None, (p[1], p[0], p[2]))).split())
            for p in record["authors_parsed"]
        ]
        assert paper.doi == (record["doi"] or "")
        assert paper.journal_ref == " ".join((record["journal-ref"] or "").split())
        assert paper.license == (record["license"] or "")
        assert paper.abstract == " ".join(
            record["abstract"].split()
        )  # unwrapped (no paragraphs here)
    assert not FeedEntry.objects.exists()  # the catalogue only; the feed is for featured papers


@pytest.mark.shared
@pytest.mark.django_db
def test_snapshot_details_come_out_as_a_reader_expects(snapshot_file):
    import_arxiv_jsonl(snapshot_file)

    first = Paper.objects.get(arxiv_id="0704.0001")
    assert (
        first.title
        == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert first.version == 2
    assert first.published == dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert first.updated == dt.datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)
    assert (first.doi, first.journal_ref) == (
        "10.1103/PhysRevD.76.013009",
        "Phys.Rev.D76:013009,2007",
    )
    assert first.comment == "37 pages, 15 figures; published version"
    assert first.abstract.startswith(
        "A fully differential calculation in perturbative quantum chromodynamics is presented"
    )
    assert "\n" not in first.abstract
    second = Paper.objects.get(arxiv_id="0704.0002")
    assert (second.categories, second.primary_category) == (["math.CO", "cs.CG"], "math.CO")
    assert sorted(second.category_rows.values_list("category", flat=True)) == ["cs.CG", "math.CO"]
    assert second.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert "Neal J. Evans II" in Paper.objects.get(arxiv_id="0704.0009").authors  # suffix kept
    with_affiliations = Paper.objects.get(arxiv_id="0704.0025")  # authors_parsed has a 4th item
    assert with_affiliations.authors == ["A. S. Mishchenko", "N. Nagaosa"]


@pytest.mark.shared
@pytest.mark.parametrize("parallel", [False, True], ids=["inline", "child-process"])
@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.django_db
def test_it_imports_the_real_listings_format(listings_sample, tmp_path, compress, parallel):
    path = listings_sample
    if compress:
        path = tmp_path / "listings.jsonl.gz"
        path.write_bytes(gzip.compress(listings_sample.read_bytes()))
    expected = real_lines(listings_sample)

    report = import_arxiv_jsonl(path, batch_size=500, parallel=parallel)

    assert report.files == [(path, f"{LISTING_LINES} records", True)]
    assert report.papers.counts == Counter(created=LISTING_LINES)
    papers = {p.arxiv_id: p for p in Paper.objects.all()}
    stored_categories = categories_by_paper()
    assert len(papers) == LISTING_LINES
    for record in expected:
        paper = papers[record["id"]]
        assert paper.title == " ".join(record["title"].split())
        assert paper.abstract == " ".join(record["summary"].split())
        assert paper.authors == record["authors"]
        categories = [c for c in record["categories"] if ARXIV_CATEGORY.fullmatch(c)]
        assert paper.categories == categories
        assert paper.primary_category == record["categories"][0]
        assert stored_categories[paper.arxiv_id] == set(categories)
        assert paper.announced_on == dt.date.fromisoformat(record["listing_date"])
        assert paper.comment == " ".join((record["comment"] or "").split())
        # The listings say nothing of versions, submission times or DOIs.
        assert (paper.version, paper.published, paper.updated, paper.doi) == (None, None, None, "")


@pytest.mark.shared
@pytest.mark.django_db
def test_the_gzip_and_plain_listings_hold_the_same_papers(listings_sample, tmp_path):
    gzipped = tmp_path / "listings.jsonl.gz"
    gzipped.write_bytes(gzip.compress(listings_sample.read_bytes()))
    import_arxiv_jsonl(listings_sample)
    before = dump_rows()

    report = import_arxiv_jsonl(gzipped)

    assert report.papers.counts == Counter(unchanged=LISTING_LINES)
    assert dump_rows() == before


@pytest.mark.shared
@pytest.mark.django_db
def test_the_batch_size_does_not_change_what_is_stored(snapshot_file):
    def stored():
        columns = [
            f.attname
            for f in Paper._meta.concrete_fields
            if f.attname not in ("id", "created_at", "updated_at")
        ]
        return list(Paper.objects.order_by("arxiv_id").values_list(*columns)), categories_by_paper()

    import_arxiv_jsonl(snapshot_file, batch_size=37)
    small_batches = stored()
    Paper.objects.all().delete()
    import_arxiv_jsonl(snapshot_file)

    assert stored() == small_batches


# --- bad lines --------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_skips_a_malformed_line_with_its_number_and_imports_the_lines_around_it(tmp_path):
    path = write_jsonl(
        tmp_path / "listing.jsonl",
        [
            listing_record("2503.00001"),
            "",
            listing_record("2503.00002"),
            '{"id": "2503.00009", "title": "cut off',
            listing_record("2503.00003"),
            "[1, 2, 3]",
            "   ",
            listing_record("not-an-id"),
            {"id": "2503.00008", "title": "What format is this?"},
            listing_record("2503.00007", title="  "),
            b'{"id": "2503.00006", "title": "caf\xe9", "summary": ""}',
            snapshot_record("2503.00005", versions=["yesterday"]),
            listing_record("2503.00004"),
        ],
    )

    report = import_arxiv_jsonl(path)

    bad = [(number, reason) for _, number, reason in report.bad_lines]
    assert bad[0][0] == 4 and bad[0][1].startswith("invalid JSON (")
    assert bad[1:] == [
        (6, "not a JSON object"),
        (8, "not an arXiv id: 'not-an-id'"),
        (9, "neither the snapshot nor the listing format"),
        (10, "missing title"),
        (11, "not UTF-8 (byte 35)"),
        (12, "bad timestamp 'yesterday'"),
    ]
    assert report.records_read == 4
    assert report.papers.counts == Counter(created=4, skipped=7)
    assert report.papers.skipped == Counter({"malformed line": 7})
    assert sorted(Paper.objects.values_list("arxiv_id", flat=True)) == [
        "2503.00001", "2503.00002", "2503.00003", "2503.00004",
    ]  # fmt: skip
    # A bad line is the line's problem, not the file's.
    assert report.files == [(path, "4 records", True)]


@pytest.mark.django_db
def test_it_ignores_blank_lines(tmp_path):
    path = write_jsonl(
        tmp_path / "listing.jsonl",
        ["", listing_record("2503.00001"), " \t", "", listing_record("2503.00002"), ""],
    )

    report = import_arxiv_jsonl(path)

    assert report.bad_lines == []
    assert report.records_read == 2
    assert report.papers.counts == Counter(created=2)


@pytest.mark.parametrize("parallel", [False, True], ids=["inline", "child-process"])
@pytest.mark.django_db
def test_it_lists_the_first_bad_lines_but_counts_them_all(tmp_path, parallel):
    path = write_jsonl(
        tmp_path / "junk.jsonl",
        ["{"] * (MAX_LISTED_BAD_LINES + 25) + [listing_record("2503.00001")],
    )

    report = import_arxiv_jsonl(path, batch_size=10, parallel=parallel)

    assert len(report.bad_lines) == MAX_LISTED_BAD_LINES
    assert report.papers.counts == Counter(created=1, skipped=MAX_LISTED_BAD_LINES + 25)


@pytest.mark.parametrize(
    "record, reason",
    [
        (
            snapshot_record("2501.00001") | {"versions": ["v1"]},
            "a version is not an object",
        ),
        (snapshot_record("2501.00001") | {"versions": {"v1": "x"}}, "versions is not a list"),
        (
            snapshot_record("2501.00001") | {"authors_parsed": [["Lovelace", 7, ""]]},
            "expected text, got int",
        ),
        (listing_record("2501.00001") | {"authors": "Grace Hopper"}, "authors is not a list"),
        (listing_record("2501.00001") | {"categories": {"cs": "CL"}}, "categories is not a list"),
        (listing_record("2501.00001") | {"listing_date": "2025-02-30"}, "bad date '2025-02-30'"),
        (listing_record("2501.00001") | {"summary": 5}, "expected text, got int"),
        ("[" * 100_000 + "]" * 100_000, "invalid JSON (nested too deeply)"),
        # Too long for Paper.arxiv_id / Paper.version: PostgreSQL would refuse the whole batch.
        (
            listing_record("averyveryveryverylongarchive/9901001"),
            "not an arXiv id: 'averyveryveryverylongarchive/9901001'",
        ),
        (listing_record("2501.00001v40000"), "not an arXiv id: '2501.00001v40000'"),
        (
            snapshot_record("2501.00001") | {"versions": [{"version": "v40000", "created": V1}]},
            "number too large: 40000",
        ),
    ],
)
@pytest.mark.django_db
def test_it_skips_a_line_with_a_malformed_field(tmp_path, record, reason):
    path = write_jsonl(tmp_path / "bad.jsonl", [record, listing_record("2501.00002")])

    report = import_arxiv_jsonl(path)

    assert [(number, text) for _, number, text in report.bad_lines] == [(1, reason)]
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["2501.00002"]


@pytest.mark.parametrize("parallel", [False, True], ids=["inline", "child-process"])
@pytest.mark.django_db
def test_a_truncated_gzip_keeps_what_was_read_and_reports_the_file(tmp_path, parallel):
    data = gzip.compress(
        b"".join(json.dumps(listing_record(f"2503.{i:05d}")).encode() + b"\n" for i in range(3000))
    )
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])

    report = import_arxiv_jsonl(path, batch_size=100, parallel=parallel)

    ((_, fate, ok),) = report.files
    assert not ok
    read = report.records_read
    assert 0 < read < 3000
    assert fate.startswith(f"{read} records, then unreadable after line {read}:")
    assert Paper.objects.count() == read


@pytest.mark.django_db
def test_a_path_that_is_not_a_file_is_reported_not_raised(tmp_path):
    report = import_arxiv_jsonl(tmp_path)

    ((_, fate, ok),) = report.files
    assert not ok and fate.startswith("skipped: unreadable:")


# --- ids, categories, versions ------------------------------------------------------------


@pytest.mark.django_db
def test_old_style_ids_work_in_both_formats(tmp_path):
    path = write_jsonl(
        tmp_path / "old.jsonl",
        [
            snapshot_record("hep-th/9901001", categories="hep-th math.QA"),
            listing_record("math.GT/0309136v2", categories=["math.GT"]),
            listing_record("cond-mat/0011223"),
        ],
    )

    report = import_arxiv_jsonl(path)

    assert report.bad_lines == []
    assert sorted(Paper.objects.values_list("arxiv_id", "version")) == [
        ("cond-mat/0011223", None),
        ("hep-th/9901001", 1),
        ("math.GT/0309136", 2),
    ]
    assert categories_by_paper()["hep-th/9901001"] == {"hep-th", "math.QA"}


@pytest.mark.django_db
def test_snapshot_authors_are_first_name_first_and_fall_back_to_the_authors_text(tmp_path):
    path = write_jsonl(
        tmp_path / "authors.jsonl",
        [
            snapshot_record(
                "2501.00001",
                authors_parsed=[
                    ["Curie", "Marie", ""],
                    ["King", "Martin Luther", "Jr."],
                    ["Plato", "", ""],
                ],
            ),
            snapshot_record(
                "2501.00002", authors="A. One, B. Two and C.  Three", authors_parsed=[]
            ),
        ],
    )

    import_arxiv_jsonl(path)

    assert Paper.objects.get(arxiv_id="2501.00001").authors == [
        "Marie Curie",
        "Martin Luther King Jr.",
        "Plato",
    ]
    assert Paper.objects.get(arxiv_id="2501.00002").authors == ["A. One", "B. Two", "C. Three"]


@pytest.mark.django_db
def test_categories_keep_arxivs_order_and_get_one_row_each(tmp_path):
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            snapshot_record("2501.00001", categories="stat.ML cs.LG stat.ML"),
            listing_record("2501.00002", categories=["cs.CV"]),
        ],
    )

    import_arxiv_jsonl(path)

    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert paper.primary_category == "stat.ML"
    assert paper.categories[:2] == ["stat.ML", "cs.LG"]
    assert categories_by_paper() == {"2501.00001": {"stat.ML", "cs.LG"}, "2501.00002": {"cs.CV"}}
    assert PaperCategory.objects.count() == 3


@pytest.mark.django_db
def test_it_drops_the_msc_and_acm_classes_the_listings_mix_into_categories(tmp_path):
    # Real category lists from arxiv_listings.jsonl.gz (2503.11954, 2503.13354, 2503.12780).
    lines = [
        listing_record(
            "2503.11954",
            categories=[
                "eess.IV",
                "cs.AI",
                "94A29, 94A08, 94B05, 68T01, 68P30",
                "I.4.2; E.4; I.2.10; I.5.4; I.5.1; I.4.1",
            ],
        ),
        listing_record("2503.13354", categories=["cs.CV", "math.NA", "68U10, 90C26"]),
        listing_record(
            "2503.12780", categories=["cs.CV", "stat.ML", "68Txx", "I.2.1", "cond-mat.stat-mech"]
        ),
    ]

    report = import_arxiv_jsonl(write_jsonl(tmp_path / "msc.jsonl", lines))

    assert report.papers.counts == Counter(created=3)
    assert dict(Paper.objects.values_list("arxiv_id", "categories")) == {
        "2503.11954": ["eess.IV", "cs.AI"],
        "2503.13354": ["cs.CV", "math.NA"],
        "2503.12780": ["cs.CV", "stat.ML", "cond-mat.stat-mech"],
    }
    assert categories_by_paper()["2503.12780"] == {"cs.CV", "stat.ML", "cond-mat.stat-mech"}


@pytest.mark.django_db
def test_new_categories_replace_the_category_rows(tmp_path):
    import_arxiv_jsonl(
        write_jsonl(
            tmp_path / "a.jsonl", [listing_record("2501.00001", categories=["cs.CL", "cs.AI"])]
        )
    )

    report = import_arxiv_jsonl(
        write_jsonl(
            tmp_path / "b.jsonl", [listing_record("2501.00001", categories=["cs.LG", "cs.CL"])]
        )
    )

    assert report.papers.counts == Counter(updated=1)
    paper = Paper.objects.get()
    assert (paper.categories, paper.primary_category) == (["cs.LG", "cs.CL"], "cs.LG")
    assert categories_by_paper() == {"2501.00001": {"cs.LG", "cs.CL"}}


def version_file(path, *versions, title, abstract):
    return write_jsonl(
        path, [snapshot_record("0704.0001", versions=versions, title=title, abstract=abstract)]
    )


@pytest.mark.django_db
def test_a_newer_version_updates_the_paper(tmp_path):
    import_arxiv_jsonl(
        version_file(tmp_path / "v1.jsonl", V1, title="First title", abstract="First abstract.")
    )

    report = import_arxiv_jsonl(
        version_file(
            tmp_path / "v2.jsonl", V1, V2, title="Second title", abstract="Second abstract."
        )
    )

    assert report.papers.counts == Counter(updated=1)
    assert report.papers.line("papers") == "papers: 0 created, 1 updated, 0 unchanged, 0 skipped"
    paper = Paper.objects.get()
    assert (paper.version, paper.title, paper.abstract) == (2, "Second title", "Second abstract.")
    assert paper.published == dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert paper.updated == dt.datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)


@pytest.mark.django_db
def test_an_older_version_is_skipped_and_a_repeat_is_unchanged(tmp_path):
    v1 = version_file(tmp_path / "v1.jsonl", V1, title="First title", abstract="First abstract.")
    v2 = version_file(
        tmp_path / "v2.jsonl", V1, V2, title="Second title", abstract="Second abstract."
    )
    import_arxiv_jsonl(v2)
    before = dump_rows()

    older = import_arxiv_jsonl(v1)
    again = import_arxiv_jsonl(v2)

    assert older.papers.counts == Counter(skipped=1)
    ((reason, count),) = older.papers.skipped.items()
    assert "older version" in reason and count == 1
    assert "older version" in older.papers.line("papers")
    assert again.papers.counts == Counter(unchanged=1)
    assert dump_rows() == before
    assert Paper.objects.get().title == "Second title"


@pytest.mark.parametrize("order", ["v1 then v2", "v2 then v1"])
@pytest.mark.parametrize("batch_size", [1, 2000])
@pytest.mark.django_db
def test_the_newest_version_wins_within_one_file(tmp_path, order, batch_size):
    lines = [
        snapshot_record("0704.0001", versions=[V1], title="First title"),
        snapshot_record("0704.0001", versions=[V1, V2], title="Second title"),
    ]
    if order == "v2 then v1":
        lines.reverse()

    import_arxiv_jsonl(write_jsonl(tmp_path / "both.jsonl", lines), batch_size=batch_size)

    paper = Paper.objects.get()
    assert (paper.version, paper.title) == (2, "Second title")


@pytest.mark.django_db
def test_a_reimport_of_the_same_file_writes_nothing(tmp_path):
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [snapshot_record(f"0704.{i:04d}", comments="5 pages") for i in range(1, 30)]
        + [listing_record(f"2503.{i:05d}", comment="ACL 2025") for i in range(1, 30)],
    )
    import_arxiv_jsonl(path, batch_size=10)
    before = dump_rows()

    report = import_arxiv_jsonl(path, batch_size=10)

    assert report.papers.counts == Counter(unchanged=58)
    assert dump_rows() == before


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.django_db
def test_it_shows_its_progress_in_bytes_on_request(tmp_path, capsys, compress):
    path = write_jsonl(
        tmp_path / "many.jsonl", [listing_record(f"2503.{i:05d}") for i in range(2500)]
    )
    if compress:
        path = tmp_path / "many.jsonl.gz"
        path.write_bytes(gzip.compress((tmp_path / "many.jsonl").read_bytes()))

    report = import_arxiv_jsonl(path, progress=True)

    assert report.files == [(path, "2500 records", True)]
    bar = capsys.readouterr().err.replace("\r", "\n").splitlines()[-1]
    assert bar.startswith(f"{path.name}: 100%")


@pytest.mark.django_db
def test_the_loader_says_what_became_of_each_record():
    from dailypapers.ingest.loader import Loader
    from dailypapers.ingest.records import PaperRecord

    loader = Loader()
    first = loader.load_papers(
        [
            PaperRecord("2501.00001", "One", version=1),
            PaperRecord("2501.00002", "Two", version=1),
            PaperRecord("2501.00003", "Three", version=2),
        ]
    )
    assert {arxiv_id: loaded.outcome for arxiv_id, loaded in first.items()} == dict.fromkeys(
        first, "created"
    )
    again = loader.load_papers(
        [
            PaperRecord("2501.00001", "One", version=1),
            PaperRecord("2501.00002", "Two", version=2),
            PaperRecord("2501.00003", "Three", version=1),
        ]
    )
    assert {arxiv_id: (loaded.outcome, loaded.reason) for arxiv_id, loaded in again.items()} == {
        "2501.00001": ("unchanged", ""),
        "2501.00002": ("updated", ""),
        "2501.00003": ("skipped", "older version than stored (v1 < v2)"),
    }
    stored = dict(Paper.objects.values_list("arxiv_id", "pk"))
    assert {arxiv_id: loaded.pk for arxiv_id, loaded in first.items()} == stored
    assert {arxiv_id: loaded.pk for arxiv_id, loaded in again.items()} == stored
