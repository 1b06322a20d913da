"""Search through the real huggingface_hub client on a live server: `HfApi.list_papers`
is what people who script against Hugging Face's paper search would run, with only the
endpoint changed."""

import pytest
from huggingface_hub import HfApi
from huggingface_hub.hf_api import PaperInfo
from huggingface_hub.utils import close_session

from dailypapers.search import service
from tests.factories import make_paper
from tests.test_search_semantic import MEANINGS, TOPICS, make_topics

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hf(live_server):
    yield HfApi(endpoint=live_server.url, token=False)
    # End the client's keep-alive connections, so the live server's request threads end
    # and close their database connections (PostgreSQL drops the test database after).
    close_session()


def test_list_papers_returns_our_results_in_our_order(hf, client, embedder):
    papers = make_topics()
    graph = [
        make_paper(title=f"Graph networks for robot control, part {n}", abstract="Graphs.")
        for n in range(3)
    ]
    found = list(hf.list_papers(query="robot locomotion", limit=4))
    assert all(isinstance(p, PaperInfo) for p in found)
    ours = client.get("/api/papers/search?q=robot%20locomotion&limit=4").json()
    assert [p.id for p in found] == [item["paper"]["id"] for item in ours]
    assert [p.id for p in found] == [
        h.paper.arxiv_id for h in service.search("robot locomotion", limit=4).hits
    ]
    assert found[0].id == papers["robots"].arxiv_id and found[0].title == TOPICS["robots"][0]
    by_id = {p.arxiv_id: p for p in list(papers.values()) + graph}
    assert [p.title for p in found] == [by_id[p.id].title for p in found]
    assert [a.name for a in found[0].authors] == papers["robots"].authors


def test_list_papers_finds_a_paper_by_meaning(hf, embedder):
    papers = make_topics()
    text, topic = MEANINGS[0]
    found = list(hf.list_papers(query=text, limit=2))
    assert [p.id for p in found][:1] == [papers[topic].arxiv_id]
    assert len(found) == 2


def test_list_papers_honours_the_limit_and_hides_hidden_papers(hf):
    shown = [make_paper(title=f"Graph networks, part {n}") for n in range(4)]
    hidden = make_paper(title="Graph networks, hidden", hidden=True)
    found = list(hf.list_papers(query="graph networks", limit=3))
    assert len(found) == 3
    ids = {p.id for p in hf.list_papers(query="graph networks", limit=50)}
    assert ids == {p.arxiv_id for p in shown} and hidden.arxiv_id not in ids


@pytest.mark.parametrize(
    "text", ['"unbalanced AND (', "NEAR(a b) OR NOT *", "深度学习 🤖", "x" * 250]
)
def test_list_papers_accepts_odd_queries(hf, text):
    make_paper(title="Graph networks")
    assert isinstance(list(hf.list_papers(query=text, limit=5)), list)


def test_list_papers_with_a_query_over_250_characters_is_a_clear_error(hf):
    from huggingface_hub.errors import HfHubHTTPError

    with pytest.raises(HfHubHTTPError) as raised:
        list(hf.list_papers(query="x" * 251, limit=5))
    assert raised.value.response.status_code == 400
    assert "at most 250 characters" in raised.value.response.json()["error"]
