"""The real huggingface_hub client driven at the API on a live server: what people who
script against Hugging Face's papers API would run, with only the endpoint changed."""

import datetime as dt

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import close_session

from tests.factories import make_entry, make_member, make_paper
from tests.test_feed_pages import ids_on

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hf(live_server):
    yield HfApi(endpoint=live_server.url, token=False)
    # End the client's keep-alive connections, so the live server's request threads end
    # and close their database connections (PostgreSQL drops the test database after).
    close_session()


def ids(papers):
    return [p.id for p in papers]


def test_list_daily_papers_returns_the_day_pages_papers_in_its_order(hf, client):
    for n, votes in enumerate([3, 40, 12, 12, 0]):
        make_entry("2025-03-14", upvotes=votes, position=n)
    make_entry("2025-03-13", upvotes=99)
    papers = list(hf.list_daily_papers(date="2025-03-14"))
    assert ids(papers) == ids_on(client.get("/papers/date/2025-03-14"))
    assert len(papers) == 5


def test_list_daily_papers_gives_the_client_every_field_it_reads(hf):
    paper = make_paper(
        arxiv_id="2508.10104",
        title="Sparse Mixtures",
        authors=["Grace Hopper", "Alan Turing"],
        abstract="We study experts.",
        published=dt.datetime(2025, 8, 13, 17, 59, tzinfo=dt.UTC),
        github_repo="https://github.com/example/moe",
        github_stars=321,
        project_page="https://example.org/moe",
        ai_summary="Experts, sparsely.",
        ai_keywords=["MoE"],
    )
    make_entry(
        "2025-08-14", upvotes=17, paper=paper, num_comments=4, submitted_by=make_member("akhaliq")
    )
    [info] = hf.list_daily_papers(date="2025-08-14")
    assert info.id == "2508.10104" and info.title == "Sparse Mixtures"
    assert [a.name for a in info.authors] == ["Grace Hopper", "Alan Turing"]
    assert info.summary == "We study experts." and info.upvotes == 17 and info.comments == 4
    assert info.published_at == dt.datetime(2025, 8, 13, 17, 59, tzinfo=dt.UTC)
    assert info.submitted_at == dt.datetime(2025, 8, 14, tzinfo=dt.UTC)
    assert info.submitted_by.username == "akhaliq" and info.submitted_by.avatar_url == ""
    # The fields PaperInfo reads only at the top level of an entry.
    assert info.ai_summary == "Experts, sparsely." and info.ai_keywords == ["MoE"]
    assert info.github_repo == "https://github.com/example/moe" and info.github_stars == 321
    assert info.project_page == "https://example.org/moe"


def test_paper_info_returns_title_authors_and_abstract(hf):
    paper = make_paper(arxiv_id="2508.10104", title="Sparse Mixtures", authors=["Grace Hopper"],
                       abstract="We study experts.", ai_summary="Experts.")  # fmt: skip
    make_entry("2025-08-14", upvotes=7, paper=paper, submitted_by=make_member("akhaliq"))
    info = hf.paper_info("2508.10104")
    assert (info.id, info.title, info.summary) == (
        "2508.10104",
        "Sparse Mixtures",
        "We study experts.",
    )
    assert [a.name for a in info.authors] == ["Grace Hopper"]
    assert info.upvotes == 7 and info.ai_summary == "Experts."
    assert info.submitted_at == dt.datetime(2025, 8, 14, tzinfo=dt.UTC)
    assert info.submitted_by.username == "akhaliq"


def test_paper_info_of_an_unknown_paper_raises_the_clients_404(hf):
    with pytest.raises(HfHubHTTPError) as raised:
        hf.paper_info("2508.99999")
    assert raised.value.response.status_code == 404


def test_read_paper_returns_the_markdown(hf):
    make_paper(arxiv_id="2508.10104", title="Sparse Mixtures", abstract="We study experts.")
    text = hf.read_paper("2508.10104")
    assert text.startswith("# Sparse Mixtures") and "We study experts." in text


def test_week_month_limit_and_p_behave_as_on_hugging_face(hf):
    week = [make_entry(day, upvotes=votes) for day, votes in
            [("2025-03-10", 5), ("2025-03-12", 9), ("2025-03-16", 1)]]  # fmt: skip
    march_only = make_entry("2025-03-03", upvotes=30)
    make_entry("2025-04-01", upvotes=50)
    by_votes = [e.paper.arxiv_id for e in sorted(week, key=lambda e: -e.upvotes)]
    assert ids(hf.list_daily_papers(week="2025-W11")) == by_votes
    assert ids(hf.list_daily_papers(month="2025-03")) == [march_only.paper.arxiv_id, *by_votes]
    assert ids(hf.list_daily_papers(week="2025-W11", limit=2)) == by_votes[:2]
    assert ids(hf.list_daily_papers(week="2025-W11", limit=2, p=1)) == by_votes[2:]
    assert ids(hf.list_daily_papers(week="2025-W11", limit=2, p=2)) == []
    # Without a period: the latest feed day.
    latest = make_entry("2025-04-02")
    assert ids(hf.list_daily_papers()) == [latest.paper.arxiv_id]


def test_submitter_and_sort_reach_the_api(hf):
    old = make_entry("2025-03-10", upvotes=20, submitted_by=make_member("akhaliq"))
    new = make_entry("2025-03-14", upvotes=8, submitted_by=make_member("akhaliq"))
    make_entry("2025-03-14", upvotes=1, submitted_by=make_member("taesiri"))
    mine = hf.list_daily_papers(week="2025-W11", submitter="akhaliq", sort="trending")
    assert ids(mine) == [new.paper.arxiv_id, old.paper.arxiv_id]
    assert ids(hf.list_daily_papers(week="2025-W11", sort="publishedAt", limit=1)) == [
        old.paper.arxiv_id
    ]


def test_bad_parameters_raise_the_clients_http_error(hf):
    with pytest.raises(HfHubHTTPError) as raised:
        list(hf.list_daily_papers(date="2025-03-14", week="2025-W11"))
    assert raised.value.response.status_code == 400
    with pytest.raises(HfHubHTTPError):
        list(hf.list_daily_papers(limit=500))


def test_list_papers_without_a_query_lists_the_newest_papers(hf):
    for n in range(1, 5):
        make_paper(arxiv_id=f"2501.0000{n}", title=f"Paper {n}")
    papers = list(hf.list_papers(limit=3))
    assert ids(papers) == ["2501.00004", "2501.00003", "2501.00002"]
    assert papers[0].title == "Paper 4"
