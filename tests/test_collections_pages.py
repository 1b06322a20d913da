"""Collection pages, the RSS feed and the fragments on the paper and profile pages,
through real requests: who sees what, who may change what, POST-only writes."""

import feedparser
import pytest
from django.test import Client
from django.urls import reverse

from dailypapers.accounts.models import Profile
from dailypapers.collections import services
from dailypapers.collections.models import Collection, CollectionItem
from tests.collections_helpers import messages_of
from tests.factories import make_collection, make_paper

pytestmark = pytest.mark.django_db


def url(name, collection, **kwargs):
    return reverse(
        f"collections:{name}",
        kwargs={"username": collection.owner.username, "slug": collection.slug},
    )


# Creating, editing, deleting


def test_it_creates_a_collection_from_the_index_page(alice_client, alice):
    page = alice_client.get(reverse("collections:index"))
    assert page.status_code == 200 and 'action="/collections/new"' in page.content.decode()
    response = alice_client.post(
        reverse("collections:create"),
        {"name": "Reading list", "description": "For the train", "public": "on"},
    )
    collection = Collection.objects.get(owner=alice)
    assert (
        response.status_code == 302 and response["Location"] == "/u/alice/collections/reading-list"
    )
    assert (collection.name, collection.description, collection.public) == (
        "Reading list",
        "For the train",
        True,
    )
    assert "Reading list" in alice_client.get(reverse("collections:index")).content.decode()


def test_an_invalid_new_collection_is_shown_again_with_the_error(alice_client):
    response = alice_client.post(reverse("collections:create"), {"name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Collection.objects.exists()


def test_the_index_page_lists_public_collections_for_everyone(client, alice):
    make_collection(alice, "Shared list", public=True)
    make_collection(alice, "Secret list")
    text = client.get(reverse("collections:index")).content.decode()
    assert "Shared list" in text and "Secret list" not in text
    assert 'action="/collections/new"' not in text


def test_it_renames_and_publishes_a_collection(alice_client, alice):
    collection = make_collection(alice, "To read")
    assert alice_client.get(url("edit", collection)).status_code == 200
    response = alice_client.post(
        url("edit", collection),
        {"name": "Read", "description": "<b>bold</b>\nnext line", "public": "on"},
    )
    assert response.status_code == 302 and response["Location"] == "/u/alice/collections/to-read"
    collection.refresh_from_db()
    assert (collection.name, collection.public) == ("Read", True)
    # Plain text with line breaks: the markup is shown as text.
    text = Client().get(url("detail", collection)).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;<br>next line" in text and "<b>bold</b>" not in text


def test_it_deletes_a_collection_after_confirming(alice_client, alice):
    collection = make_collection(alice, "To read", papers=[make_paper()])
    confirm = alice_client.get(url("delete", collection))
    assert confirm.status_code == 200 and "Delete “To read”?" in confirm.content.decode()
    assert Collection.objects.exists()
    response = alice_client.post(url("delete", collection))
    assert response.status_code == 302 and response["Location"] == reverse("collections:index")
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()


# Adding and removing papers


def test_it_adds_a_paper_to_a_collection_and_goes_back(alice_client, alice):
    paper = make_paper()
    collection = make_collection(alice, "To read")
    response = alice_client.post(
        reverse("collections:add"),
        {
            "arxiv_id": paper.arxiv_id,
            "collection": collection.id,
            "next": f"/papers/{paper.arxiv_id}#collections",
        },
        follow=True,
    )
    assert response.redirect_chain[0] == (f"/papers/{paper.arxiv_id}#collections", 302)
    assert "Added to “To read”." in messages_of(response)
    assert list(collection.items.values_list("paper__arxiv_id", flat=True)) == [paper.arxiv_id]


def test_a_typed_name_creates_a_new_collection_even_with_one_selected(alice_client, alice):
    paper = make_paper()
    existing = make_collection(alice, "To read")
    alice_client.post(
        reverse("collections:add"),
        {"arxiv_id": paper.arxiv_id, "collection": existing.id, "new_name": "Benchmarks"},
    )
    created = Collection.objects.get(slug="benchmarks")
    assert created.items.get().paper == paper
    assert not existing.items.exists()


def test_adding_twice_says_so_clearly(alice_client, alice):
    paper = make_paper()
    collection = make_collection(alice, "To read", papers=[paper])
    response = alice_client.post(
        reverse("collections:add"),
        {"arxiv_id": paper.arxiv_id, "collection": collection.id},
        follow=True,
    )
    assert "This paper is already in “To read”." in messages_of(response)
    assert collection.items.count() == 1


def test_the_add_form_needs_a_collection_or_a_name(alice_client):
    paper = make_paper()
    response = alice_client.post(
        reverse("collections:add"), {"arxiv_id": paper.arxiv_id}, follow=True
    )
    assert "Choose a collection or type the name of a new one." in messages_of(response)
    assert not CollectionItem.objects.exists()


def test_it_does_not_follow_next_to_another_site(alice_client, alice):
    paper = make_paper()
    collection = make_collection(alice)
    response = alice_client.post(
        reverse("collections:add"),
        {"arxiv_id": paper.arxiv_id, "collection": collection.id, "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/papers/{paper.arxiv_id}"


def test_it_removes_a_paper(alice_client, alice):
    paper = make_paper()
    collection = make_collection(alice, "To read", papers=[paper])
    response = alice_client.post(
        url("remove", collection), {"arxiv_id": paper.arxiv_id}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/u/alice/collections/to-read"
    assert "Removed from “To read”." in messages_of(response)
    assert not collection.items.exists()


# Who sees what


def test_a_public_collection_shows_its_papers_newest_added_first(client, alice):
    older, newer = make_paper(title="Older addition"), make_paper(title="Newer addition")
    collection = make_collection(alice, "To read", public=True, papers=[older, newer])
    response = client.get(url("detail", collection))
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Newer addition") < text.index("Older addition")
    assert 'href="/u/alice"' in text
    assert (
        f'rel="alternate" type="application/rss+xml" title="To read (RSS)" href="{url("rss", collection)}"'
        in text
    )
    assert "Remove</button>" not in text and url("edit", collection) not in text


def test_the_owner_sees_edit_and_remove_controls(alice_client, alice):
    collection = make_collection(alice, "To read", papers=[make_paper()])
    text = alice_client.get(url("detail", collection)).content.decode()
    assert "private" in text and "Remove</button>" in text and url("edit", collection) in text
    assert 'application/rss+xml" title="To read' not in text  # private: no feed


def test_a_long_collection_is_paged(client, alice, monkeypatch):
    from dailypapers.collections import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    collection = make_collection(
        alice, public=True, papers=[make_paper(title=f"Paper {n}") for n in range(3)]
    )
    first = client.get(url("detail", collection)).content.decode()
    second = client.get(url("detail", collection) + "?page=2").content.decode()
    assert "Paper 2" in first and "Paper 1" in first and "Paper 0" not in first
    assert "Paper 0" in second and "Page 2 of 2" in second


@pytest.mark.parametrize("viewer", [None, "bob", "sam"])
def test_a_private_collection_is_a_404_for_everyone_but_its_owner(alice, bob, sam, viewer):
    collection = make_collection(alice, "Secret", papers=[make_paper()])
    client = Client()
    if viewer:
        client.force_login({"bob": bob, "sam": sam}[viewer])
    assert client.get(url("detail", collection)).status_code == 404
    assert client.get(url("rss", collection)).status_code == 404


def test_the_owner_has_no_feed_for_a_private_collection(alice_client, alice):
    collection = make_collection(alice, "Secret")
    assert alice_client.get(url("rss", collection)).status_code == 404


def test_a_hidden_paper_is_listed_for_staff_only(client, alice, sam_client, alice_client):
    shown, hidden = make_paper(title="Shown paper"), make_paper(title="Hidden paper")
    collection = make_collection(alice, "To read", public=True, papers=[shown, hidden])
    hidden.hidden = True
    hidden.save()
    for viewer in (client, alice_client):
        text = viewer.get(url("detail", collection)).content.decode()
        assert "Shown paper" in text and "Hidden paper" not in text and "1 paper " in text
    staff = sam_client.get(url("detail", collection)).content.decode()
    assert "Shown paper" in staff and "Hidden paper" in staff
    feed = feedparser.parse(sam_client.get(url("rss", collection)).content)
    assert [e.title for e in feed.entries] == ["Shown paper"]


def test_public_collections_of_inactive_accounts_are_shown_to_staff_only(client, alice, sam_client):
    collection = make_collection(alice, public=True)
    alice.is_active = False
    alice.save()
    assert client.get(url("detail", collection)).status_code == 404
    assert sam_client.get(url("detail", collection)).status_code == 200


def test_an_unknown_collection_is_a_404(client, alice):
    assert client.get("/u/alice/collections/nothing").status_code == 404
    assert client.get("/u/nobody/collections/nothing/rss").status_code == 404


# The RSS feed


def test_the_feed_lists_the_papers_with_links_authors_and_dates(client, alice):
    first = make_paper(
        title="First <added>", authors=["Ada Lovelace", "Alan Turing"], abstract="A < b, always."
    )
    second = make_paper(title="Second added")
    collection = make_collection(alice, "To read", public=True, description="Weekend reading")
    services.add_paper(alice, first.arxiv_id, collection=collection, note="look at table 2")
    services.add_paper(alice, second.arxiv_id, collection=collection)
    response = client.get(url("rss", collection))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/rss+xml"
    )
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.title == "To read · alice · dailypapers"
    assert feed.feed.link == "http://127.0.0.1:8000/u/alice/collections/to-read"
    assert feed.feed.description == "Weekend reading"
    assert [e.title for e in feed.entries] == ["Second added", "First <added>"]
    entry = feed.entries[1]
    assert entry.link == f"http://127.0.0.1:8000/papers/{first.arxiv_id}"
    assert entry.author == "Ada Lovelace, Alan Turing"
    assert "look at table 2" in entry.summary and "A &lt; b" in entry.summary
    item = CollectionItem.objects.get(paper=first)
    assert entry.published_parsed[:6] == item.added_at.utctimetuple()[:6]


# Refusals: method, ownership, suspension, log-in


@pytest.mark.parametrize("name", ["create", "add"])
def test_writes_refuse_get_with_405(alice_client, name):
    assert alice_client.get(reverse(f"collections:{name}")).status_code == 405


def test_remove_refuses_get_with_405(alice_client, alice):
    collection = make_collection(alice)
    assert alice_client.get(url("remove", collection)).status_code == 405
    assert alice_client.put(url("edit", collection)).status_code == 405
    assert alice_client.put(url("delete", collection)).status_code == 405


def test_writes_need_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("collections:create"), {"name": "No token"}).status_code == 403
    assert not Collection.objects.exists()


def test_logged_out_writes_go_to_the_log_in_page(client):
    response = client.post(reverse("collections:create"), {"name": "Anonymous"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Collection.objects.exists()


def test_another_person_cannot_change_a_collection(bob_client, alice):
    paper = make_paper()
    collection = make_collection(alice, "To read", public=True, papers=[paper])
    assert bob_client.get(url("edit", collection)).status_code == 404
    assert bob_client.post(url("edit", collection), {"name": "Taken"}).status_code == 404
    assert bob_client.get(url("delete", collection)).status_code == 404
    assert bob_client.post(url("delete", collection)).status_code == 404
    assert (
        bob_client.post(url("remove", collection), {"arxiv_id": paper.arxiv_id}).status_code == 404
    )
    other = make_paper()
    response = bob_client.post(
        reverse("collections:add"), {"arxiv_id": other.arxiv_id, "collection": collection.id}
    )
    assert response.status_code == 404
    collection.refresh_from_db()
    assert collection.name == "To read"
    assert list(collection.items.all().values_list("paper", flat=True)) == [paper.id]


def test_a_suspended_person_is_refused_with_the_reason(alice_client, alice):
    paper = make_paper()
    collection = make_collection(alice, "To read")
    Profile.of(alice).suspend("spam")
    response = alice_client.post(
        reverse("collections:add"),
        {"arxiv_id": paper.arxiv_id, "collection": collection.id},
        follow=True,
    )
    assert any("suspended" in m for m in messages_of(response))
    response = alice_client.post(reverse("collections:create"), {"name": "Another"}, follow=True)
    assert any("suspended" in m for m in messages_of(response))
    alice_client.post(url("edit", collection), {"name": "Renamed", "public": "on"})
    alice_client.post(url("delete", collection))
    collection.refresh_from_db()
    assert (collection.name, collection.public, collection.items.count()) == ("To read", False, 0)
    assert Collection.objects.count() == 1


# The fragments on the paper page and the profile page


def test_the_paper_page_offers_the_viewers_collections(alice_client, alice):
    paper = make_paper()
    holding = make_collection(alice, "Holding it", papers=[paper])
    make_collection(alice, "Not yet")
    text = alice_client.get(paper.get_absolute_url()).content.decode()
    assert 'action="/collections/add"' in text
    form_part = text[
        text.index('action="/collections/add"') : text.index("Add to collection</button>")
    ]
    assert ">Not yet</option>" in form_part and "Holding it" not in form_part
    assert 'href="/u/alice/collections/holding-it">Holding it</a>' in text
    assert f'action="{url("remove", holding)}"' in text


def test_the_paper_page_asks_logged_out_readers_to_log_in(client):
    paper = make_paper()
    text = client.get(paper.get_absolute_url()).content.decode()
    assert "Log in to save" in text and 'action="/collections/add"' not in text


def test_the_paper_page_reads_the_collections_in_one_query(
    alice_client, alice, django_assert_max_num_queries
):
    paper = make_paper()
    for n in range(5):
        make_collection(alice, f"List {n}", papers=[paper] if n % 2 else [])
    from dailypapers.collections.templatetags.paper_collections import viewer_collections

    with django_assert_max_num_queries(1):
        mine = viewer_collections({"user": alice}, paper)
    assert [c.name for c in mine["held"]] == ["List 1", "List 3"]
    assert [c.name for c in mine["free"]] == ["List 0", "List 2", "List 4"]


def test_the_profile_lists_public_collections_and_the_owners_private_ones(
    client, alice_client, alice
):
    make_collection(alice, "Shared list", public=True, papers=[make_paper(), make_paper()])
    make_collection(alice, "Secret list", papers=[make_paper()])
    public_view = client.get(reverse("people:profile", args=["alice"])).content.decode()
    assert (
        "Shared list" in public_view
        and "2 papers" in public_view
        and "Secret list" not in public_view
    )
    own_view = alice_client.get(reverse("people:profile", args=["alice"])).content.decode()
    assert "Shared list" in own_view and "Secret list" in own_view and "1 paper " in own_view


def test_odd_add_requests_are_refused_without_errors(alice_client, alice):
    collection = make_collection(alice)
    for data in (
        {"arxiv_id": "not an id / at all", "collection": collection.id},
        {"arxiv_id": "2501.99999", "collection": collection.id},
        {"arxiv_id": make_paper().arxiv_id, "collection": 10**30},
        {"arxiv_id": make_paper().arxiv_id, "collection": "x"},
    ):
        response = alice_client.post(reverse("collections:add"), data)
        assert response.status_code == 302, data
    assert not CollectionItem.objects.exists()


def test_the_account_export_holds_the_collections(alice_client, alice):
    paper = make_paper()
    collection = make_collection(alice, "To read")
    services.add_paper(alice, paper.arxiv_id, collection=collection, note="skim")
    data = alice_client.get(reverse("people:export")).json()
    assert data["collections"]["collections"][0]["papers"][0] == {
        "arxiv_id": paper.arxiv_id,
        "note": "skim",
        "added_at": CollectionItem.objects.get().added_at.isoformat(),
    }


def test_the_profile_counts_papers_in_one_query(alice, bob, django_assert_num_queries):
    from dailypapers.collections.templatetags.paper_collections import profile_collections

    for n in range(3):
        make_collection(alice, f"List {n}", public=True, papers=[make_paper() for _ in range(n)])
    with django_assert_num_queries(1):
        shown = profile_collections({"user": bob}, alice)
    assert [(c.name, c.num_papers) for c in shown] == [("List 0", 0), ("List 1", 1), ("List 2", 2)]
