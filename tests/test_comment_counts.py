"""Comment counts say what they count: the discussion here shows local comments only, so
cards and the paper page give "N here" and, apart, "M on Hugging Face" linking there;
the API keeps Hugging Face's numComments (both together) and gives the two parts."""

import re
from html import unescape

import pytest

from dailypapers.discussion import services
from tests.discussion_helpers import parse

pytestmark = pytest.mark.django_db

HF_URL = "https://huggingface.co/papers/2503.01234"


@pytest.fixture
def imported(entry):
    # What `import hf-daily` writes for a paper with 3 comments on Hugging Face.
    entry.imported_comments = entry.num_comments = 3
    entry.save()
    return entry


def texts(html):
    """The page's text in reading order, as a reader sees it."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


def links(html):
    return {
        (e.attrs.get("href"), re.sub(r"\s+", " ", e.all_text()).strip())
        for e in parse(html).find_all(lambda e: e.tag == "a")
    }


def test_a_card_shows_comments_here_and_on_hugging_face_apart(client, alice, paper, imported):
    services.post_comment(alice, paper, "the one local comment")
    html = client.get("/papers/date/2025-03-04").content.decode()
    found = links(html)
    assert (HF_URL, "3 on Hugging Face") in found
    assert (f"{paper.get_absolute_url()}#discussion", "1 here (comment)") in found
    assert "4 comments" not in html and " 4 here" not in texts(html)


def test_the_paper_page_counts_agree_with_its_discussion(client, alice, paper, imported):
    services.post_comment(alice, paper, "the one local comment")
    html = client.get(paper.get_absolute_url()).content.decode()
    text = texts(html)
    assert "Discussion (1)" in text
    assert "1 here · 3 on Hugging Face (shown there, not here)" in text
    assert (HF_URL, "3 on Hugging Face") in links(html) and ("#discussion", "1 here") in links(html)
    assert "4 comment" not in text and "2 comments" not in text


def test_without_hugging_face_comments_only_the_local_count_shows(client, alice, bob, paper, entry):
    services.post_comment(alice, paper, "one")
    services.post_comment(bob, paper, "two")
    day = client.get("/papers/date/2025-03-04").content.decode()
    page = client.get(paper.get_absolute_url()).content.decode()
    assert "Hugging Face" not in texts(day).replace("Hugging Face Daily Papers", "")
    assert "on Hugging Face" not in texts(page)
    assert "2 here" in texts(day) and "2 here" in texts(page) and "Discussion (2)" in texts(page)


def test_the_api_keeps_numcomments_and_gives_its_parts(client, alice, paper, imported):
    services.post_comment(alice, paper, "the one local comment")
    single = client.get(f"/api/papers/{paper.arxiv_id}").json()
    [daily] = client.get("/api/daily_papers", {"date": "2025-03-04"}).json()
    [found] = client.get("/api/papers/search", {"q": "Attention again", "mode": "keyword"}).json()
    for data in (single, daily, found):
        assert (data["numComments"], data["numCommentsHere"], data["numCommentsOnHuggingFace"]) == (
            4,
            1,
            3,
        )
    assert len(client.get(f"/api/papers/{paper.arxiv_id}/comments").json()) == 1
