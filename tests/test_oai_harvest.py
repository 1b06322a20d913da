"""OAI-PMH harvesting against a real HTTP server on loopback replaying recorded arXiv
responses (../shared/fixtures/arxiv_oai/) and variants derived from them."""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dailypapers.ingest import arxiv_http, oai
from dailypapers.ingest.models import HarvestState
from dailypapers.papers.models import Paper, PaperCategory
from tests.conftest import SHARED
from tests.fake_server import FakeServer, Reply

pytestmark = pytest.mark.django_db

FIXTURES = SHARED / "fixtures" / "arxiv_oai"
HEP_EX = "functional__arxiv__fixtures__http_server__records__arxiv-physics-hep-ex.xml"
HEP_TH = "functional__arxiv__fixtures__http_server__records__arxiv-physics-hep-th.xml"
OAI_DC = "test_arxiv_data.oai_dc.ListRecords.xml"
NO_SUCH_ID = "integration__arxiv__fixtures__1305.9999.xml"
HEP_EX_IDS = {"1706.05371", "1706.09418", "1707.00874"}


def fixture(name):
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"shared fixtures not available: {name}")
    return path.read_text(encoding="utf-8")


def with_token(xml, token, size=6):
    """A ListRecords page continued by `token` (a derived variant: a list split in pages)."""
    tag = f'<resumptionToken cursor="0" completeListSize="{size}">{token}</resumptionToken>'
    return xml.replace("</ListRecords>", tag + "</ListRecords>")


def no_records():
    body = fixture(NO_SUCH_ID)
    return body.replace('code="idDoesNotExist"', 'code="noRecordsMatch"')


@pytest.fixture
def oai_server(settings):
    """Start a FakeServer for a route and point the harvester at it."""
    servers = []

    def start(route):
        server = FakeServer(route).__enter__()
        servers.append(server)
        settings.ARXIV_OAI_URL = server.url + "/oai"
        settings.ARXIV_REQUEST_INTERVAL = 0
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    monkeypatch.setattr(arxiv_http, "RETRY_DELAYS", (0, 0))


def two_pages(page2=None):
    """hep-ex records, then (after a token) hep-th records."""
    first = with_token(fixture(HEP_EX), "tok-1")
    second = fixture(HEP_TH)

    def route(request):
        if request.query.get("resumptionToken") == ["tok-1"]:
            return page2 if page2 is not None else Reply(body=second)
        return Reply(body=first)

    return route


def snapshot():
    papers = list(Paper.objects.order_by("arxiv_id").values().iterator())
    for paper in papers:
        for name in ("id", "created_at", "updated_at"):
            paper.pop(name)
    categories = sorted(PaperCategory.objects.values_list("paper__arxiv_id", "category"))
    states = list(HarvestState.objects.order_by("set_spec").values(
        "set_spec", "metadata_prefix", "resumption_token", "run_from", "run_datestamp", "last_datestamp"
    ))  # fmt: skip
    return papers, categories, states


def test_it_imports_every_record_of_a_multi_page_list_once(oai_server):
    server = oai_server(two_pages())
    result = oai.harvest("physics:hep-ex")
    assert result.error is None
    assert (result.pages, result.records) == (2, 6)
    assert Paper.objects.count() == 6
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) >= HEP_EX_IDS
    first, second = server.requests
    assert first.query == {
        "verb": ["ListRecords"],
        "metadataPrefix": ["arXiv"],
        "set": ["physics:hep-ex"],
    }
    assert second.query == {"verb": ["ListRecords"], "resumptionToken": ["tok-1"]}
    paper = Paper.objects.get(arxiv_id="1706.05371")
    assert paper.title.startswith("Evaluation of Silicon Photomultipliers")
    assert paper.authors[0] == "Tyler Anderson"
    assert paper.categories == ["physics.ins-det", "hep-ex"]
    assert paper.metadata_source == "arxiv"
    state = HarvestState.objects.get(set_spec="physics:hep-ex")
    assert state.resumption_token == ""
    assert str(state.last_datestamp) == "2017-12-14"


def test_an_incremental_run_starts_from_the_last_harvested_day(oai_server):
    server = oai_server(two_pages())
    oai.harvest("physics:hep-ex")
    before = snapshot()
    result = oai.harvest("physics:hep-ex")
    assert server.requests[2].query["from"] == ["2017-12-14"]
    assert result.loader.papers.counts["unchanged"] == 6
    assert snapshot() == before


def test_a_harvest_cut_mid_page_and_run_again_ends_like_an_uninterrupted_one(oai_server):
    oai_server(two_pages())
    oai.harvest("physics:hep-ex")
    uninterrupted = snapshot()
    Paper.objects.all().delete()
    HarvestState.objects.all().delete()

    page2 = fixture(HEP_TH).encode()
    oai_server(two_pages(page2=Reply(body=page2, cut_after=len(page2) // 2)))
    result = oai.harvest("physics:hep-ex")
    assert "network error" in result.error and "giving up" in result.error
    assert Paper.objects.count() == 3  # the first page, committed with its checkpoint
    assert HarvestState.objects.get().resumption_token == "tok-1"

    server = oai_server(two_pages())
    result = oai.harvest("physics:hep-ex")
    assert result.error is None
    assert server.requests[0].query == {"verb": ["ListRecords"], "resumptionToken": ["tok-1"]}
    assert snapshot() == uninterrupted


def test_it_waits_as_long_as_a_503_retry_after_asks(oai_server):
    times = []

    def route(request):
        times.append(time.monotonic())
        if len(times) == 1:
            return Reply(status=503, body="busy", headers={"Retry-After": "1"})
        return Reply(body=fixture(HEP_EX))

    oai_server(route)
    result = oai.harvest("physics:hep-ex")
    assert result.error is None
    assert Paper.objects.count() == 3
    assert len(times) == 2 and times[1] - times[0] >= 1.0


def test_it_keeps_to_the_request_interval(oai_server, settings):
    times = []
    route = two_pages()

    def timed(request):
        times.append(time.monotonic())
        return route(request)

    oai_server(timed)
    settings.ARXIV_REQUEST_INTERVAL = 0.3
    oai.harvest("physics:hep-ex")
    # Measured on the server, a little after the client's own clock: allow a margin.
    assert times[1] - times[0] >= 0.28


def test_the_request_interval_is_shared_with_the_arxiv_api(settings, monkeypatch):
    from dailypapers.ingest.arxiv_api import fetch_records

    with FakeServer(
        lambda request: Reply(body='<feed xmlns="http://www.w3.org/2005/Atom"></feed>')
    ) as server:
        settings.ARXIV_API_URL = server.url + "/api/query"
        settings.ARXIV_OAI_URL = server.url + "/oai"
        settings.ARXIV_REQUEST_INTERVAL = 3600
        monkeypatch.setattr(arxiv_http.THROTTLE, "last", float("-inf"))  # the API's turn is now
        fetch_records(["2104.12255"])
        sleeps = []
        # A new OAI-PMH client waits for the turn after the API's request: arXiv's policy is per client.
        oai.Client(sleep=sleeps.append).get({"verb": "Identify"})
    assert [r.path for r in server.requests] == ["/api/query", "/oai"]
    assert len(sleeps) == 1 and 3500 < sleeps[0] <= 3600


ARXIV_RAW = """<?xml version="1.0"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>
<header><identifier>oai:arXiv.org:1706.05371</identifier><datestamp>2017-12-14</datestamp></header>
<metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>1706.05371</id>
<version version="v1"><date>Fri, 16 Jun 2017 18:00:00 GMT</date></version>
{v2}<title>{title}</title><authors>Tyler Anderson, Jacob Cutter and Mani Tripathi</authors>
<categories>physics.ins-det hep-ex</categories><abstract>  Silicon
photomultipliers.</abstract></arXivRaw></metadata></record></ListRecords></OAI-PMH>"""


def test_arxiv_raw_versions_are_recorded_and_a_newer_one_wins(oai_server):
    body = {"xml": ARXIV_RAW.format(v2="", title="First title")}
    oai_server(lambda request: Reply(body=body["xml"]))
    oai.harvest("physics:hep-ex", prefix="arXivRaw")
    paper = Paper.objects.get()
    assert (paper.version, paper.title) == (1, "First title")
    assert paper.authors == ["Tyler Anderson", "Jacob Cutter", "Mani Tripathi"]
    v2 = '<version version="v2"><date>Tue, 12 Dec 2017 10:00:00 GMT</date></version>'
    body["xml"] = ARXIV_RAW.format(v2=v2, title="Second title")
    oai.harvest("physics:hep-ex", prefix="arXivRaw")
    paper.refresh_from_db()
    assert (paper.version, paper.title) == (2, "Second title")
    assert paper.published.isoformat() == "2017-06-16T18:00:00+00:00"
    assert paper.updated.isoformat() == "2017-12-12T10:00:00+00:00"


def test_oai_dc_pages_and_an_empty_final_token_are_understood(oai_server):
    last = fixture(HEP_EX).replace(
        "</ListRecords>", '<resumptionToken cursor="1000" completeListSize="1003"/></ListRecords>'
    )
    first = fixture(OAI_DC)
    oai_server(lambda r: Reply(body=last if r.query.get("resumptionToken") else first))
    result = oai.harvest("cs", prefix="oai_dc")
    assert result.error is None and result.pages == 2
    assert Paper.objects.count() == 8
    paper = Paper.objects.get(arxiv_id="1303.2033")
    assert paper.title == "Extended Fourier analysis of signals"
    assert paper.authors == ["Vilnis Liepins"]
    assert HarvestState.objects.get(set_spec="cs").resumption_token == ""


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>
<identifier>oai:arXiv.org:1706.05371</identifier><datestamp>2017-12-14</datestamp></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>1706.05371</id><title>&lol4;</title>
</arXiv></metadata></record></ListRecords></OAI-PMH>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY leak SYSTEM "{url}/secret"><!ENTITY file SYSTEM "file:///etc/passwd">]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>
<identifier>oai:arXiv.org:1706.05371</identifier><datestamp>2017-12-14</datestamp></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>1706.05371</id><title>&leak;&file;</title>
</arXiv></metadata></record></ListRecords></OAI-PMH>"""


def test_a_billion_laughs_payload_is_refused_unexpanded(oai_server):
    oai_server(lambda request: Reply(body=BILLION_LAUGHS))
    result = oai.harvest("physics:hep-ex")
    assert "refused unsafe XML" in result.error
    assert Paper.objects.count() == 0


def test_an_external_entity_is_never_fetched(oai_server):
    server = oai_server(lambda request: Reply(body=EXTERNAL_ENTITY.format(url=server.url)))
    result = oai.harvest("physics:hep-ex")
    assert "refused unsafe XML" in result.error
    assert [r.path for r in server.requests] == ["/oai"]
    assert Paper.objects.count() == 0


HTML_PAGE = "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>Try later</body></html>"


@pytest.mark.parametrize(
    "reply, message",
    [
        (
            Reply(body=HTML_PAGE, headers={"Content-Type": "text/html"}),
            "an HTML page instead of OAI-PMH XML",
        ),
        ("truncated", "malformed or truncated XML"),
        (Reply(status=404, body=HTML_PAGE), "HTTP 404"),
        ("no such id", "OAI-PMH error idDoesNotExist: Identifier 'oai:arXiv.org:1305.9999'"),
        ("bad argument", "OAI-PMH error badArgument"),
    ],
)
def test_a_bad_page_is_reported_and_leaves_the_database_as_it_was(oai_server, reply, message):
    oai_server(two_pages())
    oai.harvest("physics:hep-ex")
    before = snapshot()
    if reply == "truncated":
        reply = Reply(body=fixture(HEP_EX)[:3000])  # a complete response of broken XML
    elif reply == "no such id":
        reply = Reply(body=fixture(NO_SUCH_ID))
    elif reply == "bad argument":
        reply = Reply(body=fixture(NO_SUCH_ID).replace("idDoesNotExist", "badArgument"))
    oai_server(lambda request: reply)
    result = oai.harvest("physics:hep-ex", from_=None)
    assert message in result.error
    assert result.records == 0
    assert snapshot() == before


def test_no_records_match_means_nothing_new(oai_server):
    oai_server(lambda request: Reply(body=no_records()))
    result = oai.harvest("cs")
    assert result.error is None
    assert (result.pages, result.records) == (1, 0)


def test_a_record_missing_its_title_is_skipped_and_the_rest_loaded(oai_server):
    xml = fixture(HEP_EX)
    start = xml.index("<title>")
    xml = xml[:start] + xml[xml.index("</title>") + len("</title>") :]
    oai_server(lambda request: Reply(body=xml))
    result = oai.harvest("physics:hep-ex")
    assert result.error is None
    assert result.loader.papers.skipped == {"missing title": 1}
    assert set(Paper.objects.values_list("arxiv_id", flat=True)) == HEP_EX_IDS - {"1706.05371"}


def test_the_command_prints_pages_and_a_summary(oai_server):
    oai_server(two_pages())
    out = StringIO()
    call_command("harvest", "--set", "physics:hep-ex", stdout=out)
    lines = out.getvalue().splitlines()
    assert "physics:hep-ex: page 1: 3 records, 0 skipped of 6" in lines
    assert (
        lines[-1] == "physics:hep-ex: 2 pages, papers: 6 created, 0 updated, 0 unchanged, 0 skipped"
    )


def test_the_command_fails_clearly_when_a_set_cannot_be_harvested(oai_server):
    oai_server(lambda request: Reply(body=HTML_PAGE))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="harvest incomplete for: cs"):
        call_command("harvest", "--set", "cs", stdout=out, stderr=err)
    assert "an HTML page instead of OAI-PMH XML" in err.getvalue()
    assert "resumes from the last committed page" in err.getvalue()


def test_the_command_rejects_a_bad_date():
    with pytest.raises(CommandError, match="not a date"):
        call_command("harvest", "--from", "yesterday")


# --- a real process, killed -------------------------------------------------------------


def process_env(data_dir, server_url, sets="physics:hep-ex"):
    """Environment for a `dailypapers` subprocess on its own SQLite file in data_dir."""
    env = {
        **os.environ,
        "SECRET_KEY": "test-only",
        "DATA_DIR": str(data_dir),
        "ARXIV_OAI_URL": server_url + "/oai",
        "ARXIV_REQUEST_INTERVAL": "0",
        "ARXIV_HARVEST_SETS": sets,
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([*DAILYPAPERS, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    return env


DAILYPAPERS = [sys.executable, "-m", "dailypapers"]


def sqlite_snapshot(data_dir):
    with closing(sqlite3.connect(data_dir / "dailypapers.sqlite3")) as db:
        papers = db.execute(
            "SELECT arxiv_id, version, title, abstract, authors, categories, published, updated,"
            " comment, journal_ref, doi, license FROM papers_paper ORDER BY arxiv_id"
        ).fetchall()
        states = db.execute(
            "SELECT set_spec, resumption_token, run_from, run_datestamp, last_datestamp"
            " FROM ingest_harveststate"
        ).fetchall()
    return papers, states


def test_a_harvest_process_killed_mid_request_and_run_again_ends_like_an_uninterrupted_one(
    tmp_path,
):
    fixture(HEP_EX)
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    whole.mkdir(), killed.mkdir()
    with FakeServer(two_pages()) as server:
        env = process_env(whole, server.url)
        subprocess.run([*DAILYPAPERS, "harvest"], env=env, check=True, capture_output=True)

    release = threading.Event()
    normal = two_pages()

    def hang_on_page_2(request):
        if request.query.get("resumptionToken"):
            release.wait(30)  # the client waits here until it is killed
        return normal(request)

    with FakeServer(hang_on_page_2) as server:
        env = process_env(killed, server.url)
        harvest = subprocess.Popen([*DAILYPAPERS, "harvest"], env=env, stdout=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while len(server.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        harvest.kill()
        harvest.wait()
        release.set()
    papers, states = sqlite_snapshot(killed)
    assert len(papers) == 3 and states[0][1] == "tok-1"  # page 1 and its checkpoint

    with FakeServer(two_pages()) as server:
        env["ARXIV_OAI_URL"] = server.url + "/oai"
        subprocess.run([*DAILYPAPERS, "harvest"], env=env, check=True, capture_output=True)
        assert server.requests[0].query == {"verb": ["ListRecords"], "resumptionToken": ["tok-1"]}
    assert sqlite_snapshot(killed) == sqlite_snapshot(whole)


def test_code_and_project_links_in_a_harvested_abstract_are_kept(oai_server):
    xml = ARXIV_RAW.format(v2="", title="Silicon photomultipliers").replace(
        "photomultipliers.</abstract>",
        "photomultipliers. Code: https://github.com/example/sipm-eval. Project page:"
        " https://example.github.io/sipm/.</abstract>",
    )
    oai_server(lambda request: Reply(body=xml))
    oai.harvest("physics:hep-ex", prefix="arXivRaw")
    paper = Paper.objects.get(arxiv_id="1706.05371")
    assert paper.github_repo == "https://github.com/example/sipm-eval"
    assert paper.project_page == "https://example.github.io/sipm/"


def _closed_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_without_network_each_retry_says_what_it_waits_for_and_the_waiting_is_capped(monkeypatch):
    monkeypatch.setattr(
        arxiv_http, "RETRY_DELAYS", (100, 100, 100)
    )  # more than MAX_NETWORK_WAIT allows
    sleeps, notes = [], []
    client = oai.Client(
        base_url=f"http://127.0.0.1:{_closed_port()}/oai",
        interval=0,
        sleep=sleeps.append,
        notice=notes.append,
    )
    with pytest.raises(
        oai.HarvestError,
        match=r"arXiv OAI-PMH not answering \(network error: .*refused.*\).*giving up after 2 attempts",
    ):
        client.get({"verb": "Identify"})
    assert sleeps == [100] and sum(sleeps) <= arxiv_http.MAX_NETWORK_WAIT
    [note] = notes
    assert note.startswith("arXiv OAI-PMH not answering (network error: ") and note.endswith(
        "; retry 1/3 in 100 s"
    )


def test_the_command_shows_each_retry_on_stderr_and_fails_with_the_reason(settings):
    settings.ARXIV_OAI_URL = f"http://127.0.0.1:{_closed_port()}/oai"
    settings.ARXIV_REQUEST_INTERVAL = 0
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="harvest incomplete for: cs"):
        call_command("harvest", "--set", "cs", stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert [line.rpartition(";")[2] for line in lines[:2]] == [
        " retry 1/2 in 0 s",
        " retry 2/2 in 0 s",
    ]
    assert all(
        line.startswith("cs: arXiv OAI-PMH not answering (network error: ") for line in lines[:2]
    )
    assert "cs: harvest stopped: arXiv OAI-PMH not answering" in lines[2]
    assert "giving up after 3 attempts" in lines[2] and "The next run resumes" in lines[2]
    assert f"harvesting arXiv records from {settings.ARXIV_OAI_URL}" in out.getvalue()
