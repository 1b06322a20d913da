"""Deep and long discussions: threads are walked without recursion, shown MAX_DEPTH
levels deep (deeper replies continue on their comment's own page) and paged, so a
chain of 1,100 replies or 10,000 comments on one paper answer with a bounded page and a
bounded API response, on the paper page, the thread pages and the API."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dailypapers.discussion import services
from dailypapers.discussion.models import Comment
from tests.factories import make_entry, make_paper

pytestmark = pytest.mark.django_db

# Explicit ids far above what the tests' own inserts reach: a chain's rows name their
# parent before it is saved, so 1,100 levels go in with one bulk_create.
FIRST_ID = 50_000_000


def bulk_comments(paper, user, parents):
    """Comments with ids FIRST_ID, FIRST_ID + 1, …: the i-th answers parents[i] (an
    index into this list, or None for a top-level comment)."""
    now = timezone.now()
    rows = [
        Comment(
            id=FIRST_ID + i, paper=paper, user=user, created_at=now,
            parent_id=None if p is None else FIRST_ID + p,
            body=f"level text {i}", body_html=f"<p>level text {i}</p>",
        )
        for i, p in enumerate(parents)
    ]  # fmt: skip
    Comment.objects.bulk_create(rows, batch_size=500)
    # bulk_create skips auto_now_add's save(); these all share one time, ordered by id.
    return [row.pk for row in rows]


def chain(paper, user, n):
    return bulk_comments(paper, user, [None] + list(range(n - 1)))


def depth(nodes):
    """How many levels the API's nested list holds (walked without recursion)."""
    deepest, stack = 0, [(n, 1) for n in nodes]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((r, level + 1) for r in node["replies"])
    return deepest


def count(nodes):
    total, stack = 0, list(nodes)
    while stack:
        node = stack.pop()
        total += 1
        stack.extend(node["replies"])
    return total


def test_a_chain_of_1100_replies_shows_eight_levels_on_the_paper_page(client, alice, paper):
    ids = chain(paper, alice, 1100)
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 150_000  # 900 levels used to make 415 KB
    shown = [int(pk) for pk in re.findall(r'<article class="comment[^"]*" id="c(\d+)"', html)]
    assert shown == ids[: services.MAX_DEPTH]
    # The eighth level links on to its own page for what follows.
    assert html.count("Continue this thread") == 1
    assert reverse("discussion:thread", args=[ids[services.MAX_DEPTH - 1]]) in html


def test_a_chain_of_1100_replies_is_bounded_in_the_api(client, alice, paper):
    ids = chain(paper, alice, 1100)
    response = client.get(f"/api/papers/{paper.arxiv_id}/comments")
    assert response.status_code == 200
    assert len(response.content) < 20_000
    data = response.json()
    assert depth(data) == services.MAX_DEPTH
    last = data[0]
    for _ in range(services.MAX_DEPTH - 1):
        assert last["moreReplies"] is False
        (last,) = last["replies"]
    assert last["id"] == ids[services.MAX_DEPTH - 1] and last["moreReplies"] is True
    # Where the chain goes on: the replies to the last comment shown.
    more = client.get(f"/api/papers/{paper.arxiv_id}/comments", {"parentId": last["id"]})
    assert more.status_code == 200
    assert [c["id"] for c in more.json()] == [ids[services.MAX_DEPTH]]
    assert depth(more.json()) == services.MAX_DEPTH


def test_the_whole_chain_is_reached_through_the_thread_pages(client, alice, paper):
    ids = chain(paper, alice, 30)
    url = paper.get_absolute_url()
    seen = []
    for _ in range(10):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        seen += [
            int(pk)
            for pk in re.findall(r'<article class="comment[^"]*" id="c(\d+)"', html)
            if int(pk) not in seen
        ]
        found = re.search(r'<p class="continue"><a href="([^"]+)"', html)
        if found is None:
            break
        url = found.group(1)
    assert seen == ids
    # A thread page names the comment above it.
    last = client.get(reverse("discussion:thread", args=[ids[-1]])).content.decode()
    assert reverse("discussion:thread", args=[ids[-2]]) in last and "level text 29" in last


def test_a_reply_deep_in_a_chain_leads_to_its_parents_thread_page(client, alice, paper):
    ids = chain(paper, alice, 20)
    client.force_login(alice)
    parent = ids[-1]
    response = client.post(
        reverse("discussion:post", args=[paper.arxiv_id]), {"body": "deep answer", "parent": parent}
    )
    reply = Comment.objects.get(body="deep answer")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('discussion:thread', args=[parent])}#c{reply.pk}"
    assert "deep answer" in client.get(response["Location"]).content.decode()
    # A shallow reply stays on the paper page.
    response = client.post(
        reverse("discussion:post", args=[paper.arxiv_id]), {"body": "near", "parent": ids[0]}
    )
    near = Comment.objects.get(body="near")
    assert response["Location"] == f"{paper.get_absolute_url()}#c{near.pk}"


def ten_thousand(paper, user):
    """100 top-level comments, each with 99 replies: 10,000 comments on one paper."""
    parents = []
    for _ in range(100):
        parents.append(None)
        top = len(parents) - 1
        parents += [top] * 99
    return bulk_comments(paper, user, parents)


def test_ten_thousand_comments_give_a_bounded_page(client, alice, paper):
    ten_thousand(paper, alice)
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    articles = re.findall(r'<article class="comment', html)
    assert len(articles) == services.MAX_PAGE_COMMENTS
    assert len(response.content) < 1_500_000
    assert "Discussion (10000)" in html or "Discussion (10,000)" in html
    assert "Page 1 of 2" in html and 'href="?page=2#discussion"' in html
    # The page is full before the first 50 comments have all their replies: those go on.
    assert "Continue this thread" in html
    second = client.get(paper.get_absolute_url(), {"page": 2})
    assert second.status_code == 200
    assert (
        len(re.findall(r'<article class="comment', second.content.decode()))
        == services.MAX_PAGE_COMMENTS
    )


def test_ten_thousand_comments_give_a_bounded_api_response(client, alice, paper):
    ten_thousand(paper, alice)
    url = f"/api/papers/{paper.arxiv_id}/comments"
    response = client.get(url)
    assert response.status_code == 200
    data = response.json()
    assert len(data) == services.ROOTS_PER_PAGE
    assert count(data) == services.MAX_PAGE_COMMENTS
    assert len(response.content) < 500_000
    assert 'rel="next"' in response["Link"] and "p=1" in response["Link"]
    second = client.get(url, {"p": 1, "limit": 10})
    assert second.status_code == 200 and len(second.json()) == 10
    assert second.json()[0]["id"] == FIRST_ID + 10 * 100
    last = client.get(url, {"p": 1})
    assert "Link" not in last
    assert client.get(url, {"p": 2}).json() == []
    # The replies a page had no room for.
    cut = [c for c in data if c["moreReplies"]]
    assert cut
    replies = client.get(url, {"parentId": cut[0]["id"]}).json()
    assert len(replies) == services.ROOTS_PER_PAGE and all(
        r["parentId"] == cut[0]["id"] for r in replies
    )


@pytest.mark.parametrize(
    "params",
    [{"p": "-1"}, {"p": "x"}, {"p": "10001"}, {"limit": "0"}, {"limit": "51"}, {"limit": "many"},
     {"parentId": "0"}, {"parentId": "abc"}, {"parentId": "99999999999999999999999"}],
)  # fmt: skip
def test_bad_paging_parameters_are_a_json_400(client, paper, params):
    response = client.get(f"/api/papers/{paper.arxiv_id}/comments", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(json.loads(response.content)) == {"error"}


def test_replies_of_a_comment_of_another_paper_are_a_404(client, alice, paper):
    other = make_entry("2025-03-05", paper=make_paper(arxiv_id="2503.05555")).paper
    elsewhere = services.post_comment(alice, other, "elsewhere")
    response = client.get(f"/api/papers/{paper.arxiv_id}/comments", {"parentId": elsewhere.pk})
    assert response.status_code == 404 and response.json() == {
        "error": "no such comment on this paper"
    }


@pytest.mark.parametrize("value", ["0", "-1", "x", "2", "99999999999999999999", "١"])
def test_bad_page_numbers_are_a_404_page(client, alice, paper, value):
    services.post_comment(alice, paper, "one")
    assert client.get(paper.get_absolute_url(), {"page": value}).status_code == 404
    comment = Comment.objects.get()
    assert (
        client.get(reverse("discussion:thread", args=[comment.pk]), {"page": value}).status_code
        == 404
    )


def test_a_thread_page_of_a_hidden_comment_shows_its_placeholder(client, alice, bob, sam, paper):
    top = services.post_comment(alice, paper, "top")
    reply = services.post_comment(bob, paper, "visible reply", parent=top)
    services.hide_comment(sam, top)
    html = client.get(reverse("discussion:thread", args=[top.pk])).content.decode()
    assert "[removed by moderators]" in html and "visible reply" in html and ">top<" not in html
    assert client.get(reverse("discussion:thread", args=[reply.pk])).status_code == 200
    assert client.get(reverse("discussion:thread", args=[10**12])).status_code == 404


def test_deleting_the_top_of_a_1100_reply_chain_deletes_it_all(
    admin_client_root, alice, paper, entry
):
    ids = chain(paper, alice, 1100)
    top = Comment.objects.get(pk=ids[0])
    # The admin's confirmation page lists what goes, then its POST deletes it.
    url = reverse("admin:discussion_comment_delete", args=[top.pk])
    confirmation = admin_client_root.get(url)
    assert confirmation.status_code == 200
    assert "with 1099 replies to them" in confirmation.content.decode()
    assert admin_client_root.post(url, {"post": "yes"}).status_code == 302
    assert not Comment.objects.exists()
    entry.refresh_from_db()
    assert entry.num_comments == 0
    # And through a queryset, as a shell or a bulk action would.
    ids = chain(paper, alice, 1100)
    Comment.objects.filter(pk=ids[0]).delete()
    assert not Comment.objects.exists()


@pytest.fixture
def admin_client_root(client, root):
    client.force_login(root)
    return client


def test_deleting_a_paper_with_a_1100_reply_chain_in_the_admin(admin_client_root, alice, paper):
    chain(paper, alice, 1100)
    url = reverse("admin:papers_paper_delete", args=[paper.pk])
    assert admin_client_root.get(url).status_code == 200
    assert admin_client_root.post(url, {"post": "yes"}).status_code == 302
    assert not Comment.objects.exists()
