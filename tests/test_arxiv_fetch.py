"""`dailypapers fetch` and the arXiv API client against a real loopback HTTP server that
replays responses recorded from arXiv (../shared/fixtures/arxiv_api) and variants."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dailypapers.ingest.arxiv_api import ArxivApiError, fetch_papers, fetch_records, parse_feed
from dailypapers.papers.models import Paper, PaperCategory
from tests.conftest import SHARED, need
from tests.fake_server import FakeServer, Reply

API_FIXTURES = SHARED / "fixtures" / "arxiv_api"

ATOM_2016 = API_FIXTURES / "atom_2016"


def serve(settings, body, status=200, content_type="application/atom+xml", **reply):
    """A fake arXiv API answering every query with one response."""
    server = FakeServer(
        lambda request: Reply(status, body, {"Content-Type": content_type}, **reply)
    )
    settings.ARXIV_API_URL = server.url + "/api/query"
    settings.ARXIV_REQUEST_INTERVAL = 0
    return server


def fetch(*ids):
    """Run the command; (exit code, output)."""
    out = io.StringIO()
    try:
        call_command("fetch", *ids, stdout=out)
        code = 0
    except CommandError as exc:
        out.write(f"ERROR {exc}\n")
        code = exc.returncode
    return code, out.getvalue()


def snapshot():
    return sorted(Paper.objects.values_list("arxiv_id", "version", "title", "updated_at"))


def recorded_body(recorded, id_list):
    return recorded[id_list][1]


# --- every id kind in the recordings ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given, arxiv_id, version",
    [
        ("1707.08567", "1707.08567", 1),
        ("1605.08386", "1605.08386", 1),
        ("2104.12255v1", "2104.12255", 1),
        ("https://arxiv.org/abs/2104.12255v1", "2104.12255", 1),
        ("https://arxiv.org/pdf/2104.12255v1.pdf", "2104.12255", 1),
        ("astro-ph/0601001", "astro-ph/0601001", 1),
        ("quant-ph/0201082v1", "quant-ph/0201082", 1),
        ("arXiv:quant-ph/0201082v1", "quant-ph/0201082", 1),
    ],
)
def test_it_fetches_every_id_kind(arxiv, given, arxiv_id, version):
    code, out = fetch(given)
    assert code == 0, out
    paper = Paper.objects.get(arxiv_id=arxiv_id)
    assert paper.version == version
    assert paper.title and paper.abstract and paper.authors and paper.published
    assert paper.metadata_source == "arxiv"
    assert paper.primary_category == paper.categories[0]
    assert set(PaperCategory.objects.filter(paper=paper).values_list("category", flat=True)) == set(
        paper.categories
    )
    assert f"{arxiv_id}: created" in out
    assert "papers: 1 created, 0 updated, 0 unchanged, 0 skipped, 0 not found, 0 error" in out


@pytest.mark.django_db
def test_it_keeps_what_the_atom_entry_says(arxiv):
    fetch("1707.08567")
    paper = Paper.objects.get(arxiv_id="1707.08567")
    assert paper.title == (
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    )
    assert paper.authors[0] == "Kees A. Schouhamer Immink"
    assert "Dirk Wübben" in paper.authors  # UTF-8 decoded, not mojibake
    assert paper.comment.startswith("44 pages")
    assert paper.categories == ["cs.IT"]
    assert paper.published.isoformat() == "2017-07-27T08:18:33+00:00"


@pytest.mark.django_db
def test_it_puts_the_primary_category_first(arxiv):
    fetch("quant-ph/0201082v1")
    assert Paper.objects.get().categories == ["quant-ph", "cs.PL"]


@pytest.mark.django_db
def test_it_fetches_several_ids_in_one_query(arxiv):
    code, out = fetch("0808.05394", "1707.08567")
    assert [r.query["id_list"] for r in arxiv.requests] == [["0808.05394,1707.08567"]]
    assert code == 1
    assert "1707.08567: created" in out
    assert "0808.05394: not found" in out
    assert "1 created, 0 updated, 0 unchanged, 0 skipped, 1 not found, 0 error" in out
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["1707.08567"]


@pytest.mark.django_db
def test_it_reports_a_missing_id(arxiv):
    code, out = fetch("0000.0000")
    assert code == 1
    assert "0000.0000: not found (arXiv has no such paper)" in out
    assert "ERROR 1 of 1 id(s) not fetched" in out
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_it_reports_arxivs_400_error_feed(arxiv):
    with pytest.raises(
        ArxivApiError, match=r"arXiv refused the query \(HTTP 400\): incorrect id format for abc"
    ):
        fetch_records(["abc"])
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_it_rejects_a_malformed_id_without_asking_arxiv(arxiv):
    code, out = fetch("abc", "1707.08567")
    assert code == 1
    assert "abc: error (not an arXiv id: 'abc')" in out
    assert [r.query["id_list"] for r in arxiv.requests] == [["1707.08567"]]


@pytest.mark.django_db
def test_it_reports_a_400_error_feed_per_id(settings, recorded):
    status, body = recorded["abc"]
    with serve(settings, body, status=status):
        code, out = fetch("2104.12255")
    assert code == 1
    assert (
        "2104.12255: error (arXiv refused the query (HTTP 400): incorrect id format for abc)" in out
    )
    assert not Paper.objects.exists()


# --- versions ---------------------------------------------------------------------------


def _with_version(body, version):
    """The recorded 2104.12255v1 (its title is "0") as a later version with a new title."""
    body = body.replace(b"2104.12255v1", f"2104.12255v{version}".encode())
    return body.replace(b"<title>0</title>", f"<title>0, version {version}</title>".encode())


@pytest.mark.django_db
def test_it_is_idempotent(arxiv):
    fetch("2104.12255v1")
    before = snapshot()
    code, out = fetch("2104.12255v1")
    assert code == 0
    assert "2104.12255: unchanged" in out
    assert snapshot() == before


@pytest.mark.django_db
def test_a_newer_version_updates_the_paper(settings, arxiv, recorded):
    fetch("2104.12255v1")
    body = _with_version(recorded_body(recorded, "2104.12255v1"), 3)
    with serve(settings, body):
        code, out = fetch("2104.12255")
    assert code == 0, out
    assert "2104.12255: updated (v1→v3)" in out
    paper = Paper.objects.get()
    assert (paper.version, paper.title) == (3, "0, version 3")


@pytest.mark.django_db
def test_an_older_version_is_skipped_with_a_reason(settings, arxiv, recorded):
    body = _with_version(recorded_body(recorded, "2104.12255v1"), 2)
    with serve(settings, body):
        fetch("2104.12255")
    before = snapshot()
    settings.ARXIV_API_URL = arxiv.url + "/api/query"
    code, out = fetch("2104.12255v1")
    assert code == 0
    assert "2104.12255: skipped (older version than stored (v1 < v2))" in out
    assert snapshot() == before


# --- links ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_extracts_code_and_project_links(settings, recorded):
    body = recorded_body(recorded, "2104.12255v1").replace(
        b"</summary>",
        b" Code: https://github.com/owner/repo/tree/main.</summary>"
        b"<arxiv:comment>12 pages; project page https://owner.github.io/repo/</arxiv:comment>",
        1,
    )
    with serve(settings, body):
        fetch("2104.12255")
    paper = Paper.objects.get()
    assert paper.github_repo == "https://github.com/owner/repo"
    assert paper.project_page == "https://owner.github.io/repo/"


# --- safety: nothing is expanded, fetched or written ----------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2104.12255v1</id>
<title>&lol9;</title></entry></feed>"""


def _external_entity(url):
    return f"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "{url}/secret">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2104.12255v1</id>
<title>&xxe;</title></entry></feed>""".encode()


@pytest.mark.django_db
def test_it_refuses_a_billion_laughs_payload(settings):
    with serve(settings, BILLION_LAUGHS):
        code, out = fetch("2104.12255")
    assert code == 1
    assert (
        "2104.12255: error (refused unsafe XML (DTDForbidden): DTDs and entities are not allowed)"
        in out
    )
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_it_neither_expands_nor_fetches_an_external_entity(settings):
    secrets = FakeServer(lambda request: Reply(200, "stolen"))
    with secrets, serve(settings, _external_entity(secrets.url)):
        code, out = fetch("2104.12255")
    assert code == 1
    assert "refused unsafe XML" in out
    assert secrets.requests == []
    assert not Paper.objects.exists()


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, _external_entity("http://127.0.0.1:9")])
def test_the_parser_refuses_dtds_before_expanding_anything(payload):
    with pytest.raises(ArxivApiError, match="refused unsafe XML"):
        parse_feed(payload)


@pytest.mark.django_db
def test_it_reports_an_html_error_page(settings):
    page = "<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>"
    with serve(settings, page, status=200, content_type="text/html; charset=utf-8"):
        code, out = fetch("2104.12255")
    assert code == 1
    assert "an HTML page" in out and "not an Atom feed" in out
    assert not Paper.objects.exists()


def test_it_reports_html_without_a_content_type_too():
    with pytest.raises(ArxivApiError, match="HTML page"):
        parse_feed(b"<!DOCTYPE html>\n<html><body><p>oops<br></body></html>")


@pytest.mark.django_db
def test_it_reports_an_http_error_without_a_feed(settings):
    with serve(settings, "busy", status=503, content_type="text/plain"):
        code, out = fetch("2104.12255")
    assert code == 1
    assert "2104.12255: error (arXiv API answered HTTP 503" in out


@pytest.mark.django_db
def test_it_reports_truncated_xml_and_writes_nothing(settings, recorded):
    body = recorded_body(recorded, "0808.05394,1707.08567")
    with serve(settings, body[: len(body) // 2]):
        code, out = fetch("0808.05394", "1707.08567")
    assert code == 1
    assert "1707.08567: error (malformed or truncated XML" in out
    assert "0808.05394: error (malformed or truncated XML" in out
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_it_reports_a_connection_dropped_mid_response(settings, recorded):
    body = recorded_body(recorded, "1707.08567")
    with serve(settings, body, cut_after=len(body) // 2):
        code, out = fetch("1707.08567")
    assert code == 1
    assert "1707.08567: error (the connection closed before the whole response arrived)" in out
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_it_reports_a_server_that_is_down(settings):
    server = serve(settings, b"")  # never started: nothing listens on its port
    server.httpd.server_close()
    code, out = fetch("2104.12255")
    assert code == 1
    assert "2104.12255: error (cannot reach the arXiv API:" in out
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_a_failed_fetch_leaves_stored_papers_alone(settings, arxiv):
    fetch("1707.08567")
    before = snapshot()
    with serve(settings, "<feed", content_type="application/atom+xml"):
        code, out = fetch("1707.08567")
    assert code == 1
    assert snapshot() == before


def test_it_refuses_an_oversized_response(settings, monkeypatch):
    import dailypapers.ingest.arxiv_api as api

    monkeypatch.setattr(api, "MAX_RESPONSE_BYTES", 1000)
    with serve(settings, b"<feed>" + b" " * 5000 + b"</feed>"):
        with pytest.raises(ArxivApiError, match="larger than"):
            fetch_records(["2104.12255"])


def test_a_record_missing_its_title_is_reported_not_loaded():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom">
    <entry><id>http://arxiv.org/abs/2104.12255v1</id><title> </title></entry></feed>"""
    records, problems = parse_feed(body)
    assert records == []
    assert problems == [("http://arxiv.org/abs/2104.12255v1", "2104.12255: missing title")]


def _entry(version, title):
    return f"""<entry><id>http://arxiv.org/abs/2104.12255v{version}</id><title>{title}</title>
    <summary>Text.</summary><author><name>A. Author</name></author>
    <published>2021-04-20T16:07:14Z</published></entry>"""


@pytest.mark.django_db
def test_an_entry_missing_its_title_is_reported_and_not_written(settings):
    body = f'<feed xmlns="http://www.w3.org/2005/Atom">{_entry(1, " ")}</feed>'
    with serve(settings, body):
        code, out = fetch("2104.12255")
    assert code == 1
    assert "2104.12255: error (2104.12255: missing title)" in out
    assert not Paper.objects.exists()


@pytest.mark.django_db
def test_each_versioned_id_gets_its_own_entry(settings):
    body = f'<feed xmlns="http://www.w3.org/2005/Atom">{_entry(2, "Two")}{_entry(1, "One")}</feed>'
    with serve(settings, body) as server:
        results = fetch_papers(["2104.12255v1", "2104.12255v2"])
    assert server.requests[0].query["id_list"] == ["2104.12255v1,2104.12255v2"]
    assert [(r.outcome, r.detail) for r in results] == [("created", "v1"), ("updated", "v1→v2")]
    assert Paper.objects.get().title == "Two"


def test_it_names_the_site_in_its_user_agent(settings, arxiv):
    settings.SITE_URL = "https://papers.example.org"
    fetch_records(["0000.0000"])
    assert arxiv.requests[0].headers["User-Agent"] == "dailypapers (+https://papers.example.org)"


# --- the function the "submit a paper" flow calls ---------------------------------------


@pytest.mark.django_db
def test_fetch_papers_returns_one_result_per_id(arxiv):
    results = fetch_papers(["0808.05394", "1707.08567", "https://arxiv.org/abs/1707.08567"])
    assert [(r.requested, r.arxiv_id, r.outcome) for r in results] == [
        ("0808.05394", "0808.05394", "not found"),
        ("1707.08567", "1707.08567", "created"),
        ("https://arxiv.org/abs/1707.08567", "1707.08567", "created"),
    ]
    assert len(arxiv.requests) == 1


def test_the_throttle_waits_between_requests(settings, arxiv):
    import time

    settings.ARXIV_REQUEST_INTERVAL = 0.3
    started = time.monotonic()
    fetch_records(["0000.0000"])
    fetch_records(["0000.0000"])
    assert time.monotonic() - started >= 0.3


# --- older recordings (2016) --------------------------------------------------------------


@pytest.mark.parametrize("name", ["id_list=1111.2011v2.xml", "search_query=au_del_maestro.xml"])
def test_it_parses_the_2016_atom_responses(name):
    records, problems = parse_feed(need(ATOM_2016 / name).read_bytes())
    assert records and problems == []
    first = records[0]
    assert first.title and first.abstract and first.authors and first.published


def test_every_2016_response_parses():
    for path in sorted(need(ATOM_2016).iterdir()):
        records, problems = parse_feed(path.read_bytes())
        assert problems == [], path.name


def test_the_2016_id_list_response_carries_doi_and_journal_ref():
    (record,) = parse_feed(need(ATOM_2016 / "id_list=1111.2011v2.xml").read_bytes())[0]
    assert (record.arxiv_id, record.version) == ("1111.2011", 2)
    assert record.doi == "10.1103/PhysRevB.85.115117"
    assert record.journal_ref.startswith("Phys. Rev. B 85")
    assert record.categories[0] == "cond-mat.str-el"
    assert "\n" not in record.title


@pytest.mark.django_db
def test_it_gives_up_on_a_server_that_does_not_answer(settings, monkeypatch):
    import socket

    import dailypapers.ingest.arxiv_http as arxiv_http

    monkeypatch.setattr(arxiv_http, "TIMEOUT", 0.2)
    # A listening socket that never accepts: the connection opens, no answer comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.ARXIV_API_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/api/query"
        settings.ARXIV_REQUEST_INTERVAL = 0
        code, out = fetch("2104.12255")
    assert code == 1
    assert "2104.12255: error (the arXiv API did not answer within 0.2 s)" in out
    assert not Paper.objects.exists()
