"""The search page (/search) and the search API (/api/papers/search) through Django's test
client: odd input, highlighting, escaping, paging, bad filters, and what both do when the
embedding model is missing or switched off."""

import datetime as dt
import html as htmllib
import io
import re
from urllib.parse import quote_from_bytes

import pytest
from django.core.management import CommandError, call_command

from dailypapers.lib.searchquery import MAX_QUERY_CHARS
from dailypapers.search import embedding, service
from dailypapers.search.indexing import embed_pending
from dailypapers.search.views import PER_PAGE
from tests.factories import make_paper
from tests.test_search_query import HOSTILE
from tests.test_search_semantic import make_topics

pytestmark = pytest.mark.django_db

# Query strings no browser would send but a broken client or a scanner does: invalid
# UTF-8, bad percent escapes, repeated parameters.
RAW_QUERY_STRINGS = ["q=%FF%FE", "q=%ED%A0%BD", "q=%", "q=%zz", "q=%%%", "q=a&q=b", "q=+", "q="]


def url(path, text, **params):
    """`path`?q=`text` with `text` sent byte for byte: a lone surrogate goes out as the
    invalid UTF-8 a broken client would send."""
    query = "q=" + quote_from_bytes(text.encode("utf-8", "surrogatepass"))
    for name, value in params.items():
        query += f"&{name}={value}"
    return f"{path}?{query}"


def result_ids(response):
    """arXiv ids of the result cards, in page order."""
    assert response.status_code == 200, response.content[:500]
    return re.findall(
        r'<h2 id="r-\d+" class="title"><a href="/papers/([^"]+)"', response.content.decode()
    )


def api_ids(response):
    assert response.status_code == 200, response.content[:500]
    return [item["paper"]["id"] for item in response.json()]


def notices(response):
    found = re.findall(r'<p class="notice" role="status">(.*?)</p>', response.content.decode())
    return [htmllib.unescape(n) for n in found]


@pytest.fixture
def corpus(embedder):
    """Embedded papers, papers not embedded yet, and a hidden one."""
    papers = make_topics()
    papers["fresh"] = make_paper(
        title="Attention routing in sparse transformers", abstract="Not embedded yet."
    )
    papers["quoted"] = make_paper(
        title='The "NEAR" operator AND (other) words: * ^ - +', abstract="Café 深度学习 🤖."
    )
    papers["hidden"] = make_paper(
        title="Hidden attention routing", abstract="Never shown.", hidden=True
    )
    return papers


# --- Odd input never breaks the page or the API ---------------------------------------------


def test_hostile_queries_get_a_json_list_from_the_api_in_every_mode(client, corpus):
    hidden = corpus["hidden"].arxiv_id
    for text in HOSTILE:
        for mode in service.MODES:
            response = client.get(url("/api/papers/search", text, mode=mode, limit=5))
            assert response["Content-Type"] == "application/json"
            if len(text.replace("\x00", "")) > MAX_QUERY_CHARS:
                assert response.status_code == 400 and "at most 250" in response.json()["error"]
                continue
            assert response.status_code == 200, (repr(text[:40]), mode, response.content[:300])
            data = response.json()
            assert isinstance(data, list) and len(data) <= 5, repr(text[:40])
            assert hidden not in [item["paper"]["id"] for item in data]
            # A NUL is dropped before search sees the query (core/security.py).
            typed = text.replace("\x00", "").strip()
            assert response["X-Search-Mode"] == (mode if typed else "newest"), repr(text[:40])


def test_hostile_queries_get_the_search_page(client, corpus):
    hidden = corpus["hidden"].arxiv_id
    for text in HOSTILE:
        response = client.get(url("/search", text))
        too_long = len(text.replace("\x00", "")) > MAX_QUERY_CHARS
        assert response.status_code == (400 if too_long else 200), (
            repr(text[:40]),
            response.content[:300],
        )
        assert response["Content-Type"].startswith("text/html")
        assert too_long or hidden not in result_ids(response)
        assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.parametrize("raw", RAW_QUERY_STRINGS)
def test_malformed_query_strings_are_answered(client, corpus, raw):
    response = client.get(f"/search?{raw}")
    assert response.status_code == 200
    response = client.get(f"/api/papers/search?{raw}")
    assert response.status_code == 200 and isinstance(response.json(), list)


def test_operator_words_are_found_as_words(client, corpus):
    quoted = corpus["quoted"].arxiv_id
    assert result_ids(client.get(url("/search", "NEAR", mode="keyword"))) == [quoted]
    assert api_ids(client.get(url("/api/papers/search", '"NEAR" operator', mode="keyword"))) == [
        quoted
    ]
    assert api_ids(client.get(url("/api/papers/search", "深度学习", mode="keyword"))) == [quoted]


def test_a_query_longer_than_250_characters_is_a_400_on_the_api_and_the_page(client):
    make_paper(title="Graph networks")
    text = "graph " * 20_000  # 120,000 characters
    response = client.get(url("/api/papers/search", text))
    assert response.status_code == 400 and "error" in response.json()
    assert (
        client.get(url("/api/papers/search", text[:MAX_QUERY_CHARS], mode="keyword")).status_code
        == 200
    )
    page = client.get(url("/search", text, mode="keyword"))
    assert page.status_code == 400 and "graph " * 42 not in page.content.decode()


# --- Highlighting and escaping ---------------------------------------------------------------


def test_matched_words_are_marked_in_the_title_and_the_snippet(client):
    paper = make_paper(
        title="Token routing for sparse layers",
        abstract="Tokens are routed to experts. The router balances load across the experts of each layer.",
    )
    html = client.get("/search?q=routing&mode=keyword").content.decode()
    assert result_ids(client.get("/search?q=routing&mode=keyword")) == [paper.arxiv_id]
    title = re.search(r'<h2 id="r-\d+" class="title">(.*?)</h2>', html).group(1)
    snippet = re.search(r'<p class="excerpt">(.*?)</p>', html, re.S).group(1)
    assert "Token <mark>routing</mark> for sparse layers" in title
    assert "<mark>routed</mark>" in snippet
    assert "<mark>Tokens</mark>" not in snippet


def test_results_found_by_meaning_are_shown_with_their_abstract(client, corpus):
    html = client.get(
        url("/search", "teaching machines to walk with trial and error rewards", mode="semantic")
    )
    assert result_ids(html)[0] == corpus["robots"].arxiv_id
    assert "quadruped robot learns locomotion" in html.content.decode()
    assert "meaning #1" in html.content.decode()


def test_html_in_a_title_is_escaped(client, embedder):
    make_paper(
        title="<script>alert(1)</script> attention",
        abstract="<b>bold</b> attention <img src=x onerror=alert(2)>",
    )
    embed_pending()
    for mode in service.MODES:
        response = client.get(f"/search?q=attention&mode={mode}")
        html = response.content.decode()
        assert len(result_ids(response)) == 1, mode
        assert "<script>" not in html and "<b>bold" not in html and "<img" not in html, mode
        assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>attention</mark>" in html, mode
        assert "&lt;b&gt;bold&lt;/b&gt; <mark>attention</mark>" in html, mode


def test_the_query_is_escaped_where_the_page_repeats_it(client):
    make_paper(title="Graph attention")
    html = client.get(url("/search", '"><script>alert(1)</script> graph')).content.decode()
    assert "<script>alert(1)" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; graph"' in html


# --- Paging ----------------------------------------------------------------------------------


def pager(response):
    html = response.content.decode()
    prev = re.search(r'<a rel="prev" href="([^"]+)"', html)
    nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
    return (
        htmllib.unescape(prev.group(1)) if prev else None,
        htmllib.unescape(nxt.group(1)) if nxt else None,
    )


def test_results_come_in_pages_with_next_and_previous_links(client):
    papers = [
        make_paper(title=f"Graph networks, part {n}", abstract="Graphs.")
        for n in range(PER_PAGE + 5)
    ]
    first = client.get("/search?q=graph&mode=keyword")
    assert len(result_ids(first)) == PER_PAGE
    prev, nxt = pager(first)
    assert prev is None and nxt == "?q=graph&mode=keyword&page=2"
    assert f"Results 1–{PER_PAGE} for" in first.content.decode()

    second = client.get("/search" + nxt)
    assert len(result_ids(second)) == 5
    assert pager(second) == ("?q=graph&mode=keyword&page=1", None)
    assert f'<ol class="cards results" start="{PER_PAGE + 1}">' in second.content.decode()
    assert sorted(result_ids(first) + result_ids(second)) == sorted(p.arxiv_id for p in papers)


def test_a_single_page_has_no_next_link(client):
    for n in range(PER_PAGE):
        make_paper(title=f"Graph networks, part {n}")
    response = client.get("/search?q=graph&mode=keyword")
    assert len(result_ids(response)) == PER_PAGE and pager(response) == (None, None)


@pytest.mark.parametrize("page", ["0", "-3", "abc", "1.5", "", "99999999999999999999"])
def test_a_bad_page_number_is_answered(client, page):
    make_paper(title="Graph networks")
    response = client.get(f"/search?q=graph&mode=keyword&page={page}")
    assert response.status_code == 200


# --- Filters ---------------------------------------------------------------------------------


def test_filters_narrow_the_page(client):
    old = make_paper(title="Graph networks", published=dt.datetime(2024, 5, 1, tzinfo=dt.UTC))
    new = make_paper(title="Graph networks", categories=["cs.CL"], primary_category="cs.CL",
                     published=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))  # fmt: skip
    assert result_ids(client.get("/search?q=graph&mode=keyword&from=2025-01-01")) == [new.arxiv_id]
    assert result_ids(client.get("/search?q=graph&mode=keyword&to=2024-12-31")) == [old.arxiv_id]
    assert result_ids(client.get("/search?q=graph&mode=keyword&category=cs.CL")) == [new.arxiv_id]
    assert api_ids(client.get("/api/papers/search?q=graph&mode=keyword&from=2025-01-01")) == [
        new.arxiv_id
    ]
    assert api_ids(client.get("/api/papers/search?q=graph&category=cs.LG")) == [old.arxiv_id]


@pytest.mark.parametrize(
    "params, notice",
    [
        ("from=notadate", "“notadate” is not a date (from: use YYYY-MM-DD); ignored."),
        ("to=2025-13-45", "“2025-13-45” is not a date (to: use YYYY-MM-DD); ignored."),
        ("category=!!", "“!!” is not an arXiv category (e.g. cs.CL); ignored."),
        ("category=%3Cscript%3E", "“<script>” is not an arXiv category (e.g. cs.CL); ignored."),
        (
            "from=2025-12-31&to=2025-01-01",
            "The “from” date is after the “to” date; they were swapped.",
        ),
    ],
)
def test_bad_filter_values_are_ignored_with_a_notice(client, params, notice):
    paper = make_paper(title="Graph networks", published=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    response = client.get(f"/search?q=graph&mode=keyword&{params}")
    assert response.status_code == 200
    assert notice in notices(response)
    assert result_ids(response) == [paper.arxiv_id]
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    "params", ["from=notadate", "to=2025-02-30", "category=!!", "mode=fuzzy", "limit=0"]
)
def test_the_api_answers_bad_filter_values_with_a_400(client, params):
    response = client.get(f"/api/papers/search?q=graph&{params}")
    assert response.status_code == 400 and "error" in response.json()


def test_an_unknown_mode_on_the_page_means_hybrid(client):
    make_paper(title="Graph networks")
    response = client.get("/search?q=graph&mode=fuzzy")
    assert response.status_code == 200
    assert '<option value="hybrid" selected>' in response.content.decode()


def test_the_page_without_a_query_shows_the_form_only(client):
    make_paper(title="Graph networks")
    response = client.get("/search")
    assert response.status_code == 200 and result_ids(response) == []
    assert 'name="q"' in response.content.decode()


# --- Without the embedding model ---------------------------------------------------------------


@pytest.fixture(params=["model removed", "switched off"])
def semantic_off(request, settings, tmp_path):
    """The embedding model missing (an empty model directory) or SEMANTIC_SEARCH off.
    Yields the start of the reason `embedding.unavailable_reason()` gives."""
    embedding.reset()
    try:
        if request.param == "model removed":
            empty = tmp_path / "empty-model"
            empty.mkdir()
            settings.EMBEDDING_MODEL_DIR = str(empty)
            yield "the embedding model cannot be loaded: no model in"
        else:
            settings.SEMANTIC_SEARCH = False
            yield "semantic search is switched off (SEMANTIC_SEARCH=0)"
    finally:
        embedding.reset()


def test_without_the_model_the_page_shows_keyword_results_and_says_so(client, semantic_off):
    paper = make_paper(title="Graph networks")
    for mode in service.MODES:
        response = client.get(f"/search?q=graph&mode={mode}")
        assert result_ids(response) == [paper.arxiv_id], mode
        assert "Semantic search is off on this site: results match your words only." in notices(
            response
        )
        assert "(keywords)" in response.content.decode() and "words #1" in response.content.decode()
    assert embedding.unavailable_reason().startswith(semantic_off)


def test_without_the_model_the_api_answers_with_keyword_results(client, semantic_off):
    paper = make_paper(title="Graph networks")
    make_paper(title="Protein folding")
    for mode in service.MODES:
        response = client.get(f"/api/papers/search?q=graph&mode={mode}")
        assert api_ids(response) == [paper.arxiv_id]
        assert response["X-Search-Mode"] == "keyword"
    results = service.search("graph", mode="semantic")
    assert results.ran == "keyword" and semantic_off in results.semantic_note


def test_without_the_model_the_embed_command_fails_clearly(semantic_off):
    make_paper(title="Graph networks")
    with pytest.raises(CommandError, match=re.escape(f"semantic search is off: {semantic_off}")):
        call_command("embed", "--no-progress", stdout=io.StringIO())


def test_without_the_model_similar_papers_come_from_title_words(client, semantic_off):
    paper = make_paper(title="Graph networks for molecules")
    other = make_paper(title="Graph networks for traffic")
    make_paper(title="Protein folding")
    html = client.get(paper.get_absolute_url()).content.decode()
    assert "Similar papers" in html and f'href="/papers/{other.arxiv_id}"' in html
    assert [p["id"] for p in client.get(f"/api/papers/{paper.arxiv_id}/similar").json()] == [
        other.arxiv_id
    ]
