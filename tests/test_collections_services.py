"""Collections' rules: names and slugs, limits, the one-paper-once constraint,
suspension, ownership and the export."""

import pytest
from django.db import IntegrityError, transaction

from dailypapers.accounts.models import Profile
from dailypapers.collections import export, services
from dailypapers.collections.models import Collection, CollectionItem
from tests.factories import make_collection, make_paper

pytestmark = pytest.mark.django_db


def test_it_makes_the_slug_from_the_name_and_numbers_collisions(alice):
    first = services.create_collection(alice, "  Diffusion   models! ")
    second = services.create_collection(alice, "Diffusion models")
    third = services.create_collection(alice, "diffusion-models")
    assert first.name == "Diffusion models!"
    assert [first.slug, second.slug, third.slug] == [
        "diffusion-models",
        "diffusion-models-2",
        "diffusion-models-3",
    ]


def test_slugs_are_unique_per_owner_only(alice, bob):
    assert services.create_collection(alice, "To read").slug == "to-read"
    assert services.create_collection(bob, "To read").slug == "to-read"


def test_a_name_without_ascii_letters_gets_a_generic_slug(alice):
    assert services.create_collection(alice, "論文").slug == "collection"
    assert services.create_collection(alice, "!!!").slug == "collection-2"


def test_the_database_refuses_a_second_collection_with_the_same_slug(alice):
    services.create_collection(alice, "To read")
    with pytest.raises(IntegrityError), transaction.atomic():
        Collection.objects.create(owner=alice, name="Other", slug="to-read")


def test_renaming_keeps_the_address(alice):
    collection = services.create_collection(alice, "To read")
    services.update_collection(alice, collection, "Read already", "Line one\nline two", True)
    collection.refresh_from_db()
    assert (collection.name, collection.slug, collection.public) == (
        "Read already",
        "to-read",
        True,
    )
    assert collection.description == "Line one\nline two"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_it_refuses_empty_or_long_names(alice, name):
    with pytest.raises(services.Refused):
        services.create_collection(alice, name)
    assert not Collection.objects.exists()


def test_it_refuses_long_descriptions_and_notes(alice):
    with pytest.raises(services.Refused, match="2000"):
        services.create_collection(alice, "x", description="d" * 2001)
    collection = services.create_collection(alice, "x")
    with pytest.raises(services.Refused, match="500"):
        services.add_paper(alice, make_paper().arxiv_id, collection=collection, note="n" * 501)


def test_a_paper_is_added_once(alice):
    paper = make_paper()
    collection = services.create_collection(alice, "To read")
    services.add_paper(alice, paper.arxiv_id, collection=collection, note="  for Friday ")
    with pytest.raises(services.Refused, match="already in “To read”"):
        services.add_paper(alice, paper.arxiv_id, collection=collection)
    assert list(collection.items.values_list("note", flat=True)) == ["for Friday"]


def test_the_database_refuses_a_paper_twice_in_a_collection(alice):
    paper = make_paper()
    collection = make_collection(alice, papers=[paper])
    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionItem.objects.create(collection=collection, paper=paper)


def test_adding_to_a_new_name_creates_the_collection(alice):
    paper = make_paper()
    item = services.add_paper(alice, paper.arxiv_id, new_name="Benchmarks")
    assert item.collection.owner == alice
    assert item.collection.slug == "benchmarks"
    assert not item.collection.public


def test_a_refused_add_to_a_new_name_leaves_no_empty_collection(alice):
    with pytest.raises(services.Refused, match="No such paper"):
        services.add_paper(alice, "2501.99999", new_name="Benchmarks")
    assert not Collection.objects.exists()


def test_hidden_papers_cannot_be_added(alice):
    paper = make_paper(hidden=True)
    collection = make_collection(alice)
    with pytest.raises(services.Refused, match="No such paper"):
        services.add_paper(alice, paper.arxiv_id, collection=collection)


def test_removing_a_paper(alice):
    paper = make_paper()
    collection = make_collection(alice, papers=[paper])
    assert services.remove_paper(alice, collection, paper.arxiv_id) is True
    assert services.remove_paper(alice, collection, paper.arxiv_id) is False
    assert not collection.items.exists()


def test_others_cannot_change_a_collection(alice, bob):
    paper = make_paper()
    collection = make_collection(alice, public=True, papers=[paper])
    with pytest.raises(services.Refused, match="not yours"):
        services.add_paper(bob, make_paper().arxiv_id, collection=collection)
    with pytest.raises(services.Refused, match="not yours"):
        services.remove_paper(bob, collection, paper.arxiv_id)
    with pytest.raises(services.Refused, match="not yours"):
        services.update_collection(bob, collection, "Mine now", "", True)
    with pytest.raises(services.Refused, match="not yours"):
        services.delete_collection(bob, collection)
    assert collection.items.count() == 1
    collection.refresh_from_db()
    assert collection.name == "Reading list"


def test_a_suspended_person_cannot_change_collections(alice):
    paper = make_paper()
    collection = make_collection(alice, papers=[paper])
    Profile.of(alice).suspend("spam")
    for change in (
        lambda: services.create_collection(alice, "Another"),
        lambda: services.add_paper(alice, make_paper().arxiv_id, collection=collection),
        lambda: services.add_paper(alice, make_paper().arxiv_id, new_name="Another"),
        lambda: services.remove_paper(alice, collection, paper.arxiv_id),
        lambda: services.update_collection(alice, collection, "Renamed", "", True),
        lambda: services.delete_collection(alice, collection),
    ):
        with pytest.raises(services.Refused, match="suspended"):
            change()
    assert Collection.objects.get() == collection
    assert collection.items.count() == 1


def test_the_number_of_collections_is_limited(alice, monkeypatch):
    monkeypatch.setattr(services, "MAX_COLLECTIONS", 2)
    services.create_collection(alice, "one")
    services.create_collection(alice, "two")
    with pytest.raises(services.Refused, match="2 collections"):
        services.create_collection(alice, "three")
    assert Collection.objects.count() == 2


def test_the_number_of_papers_in_a_collection_is_limited(alice, monkeypatch):
    monkeypatch.setattr(services, "MAX_ITEMS", 1)
    collection = make_collection(alice, papers=[make_paper()])
    with pytest.raises(services.Refused, match="holds 1 papers"):
        services.add_paper(alice, make_paper().arxiv_id, collection=collection)


def test_adding_and_removing_move_updated_at(alice):
    paper = make_paper()
    collection = make_collection(alice)
    Collection.objects.filter(pk=collection.pk).update(updated_at="2020-01-01T00:00:00Z")
    services.add_paper(alice, paper.arxiv_id, collection=collection)
    collection.refresh_from_db()
    assert collection.updated_at.year > 2020


def test_deleting_a_collection_deletes_its_items_not_the_papers(alice):
    paper = make_paper()
    collection = make_collection(alice, papers=[paper])
    services.delete_collection(alice, collection)
    assert not CollectionItem.objects.exists()
    paper.refresh_from_db()  # still there


def test_deleting_the_owner_deletes_their_collections(alice):
    make_collection(alice, papers=[make_paper()])
    alice.delete()
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()


def test_the_export_lists_collections_with_arxiv_ids_and_notes(alice, bob):
    first, second = make_paper(), make_paper()
    collection = make_collection(alice, "To read", public=True, description="Weekend")
    services.add_paper(alice, first.arxiv_id, collection=collection, note="skim")
    services.add_paper(alice, second.arxiv_id, collection=collection)
    # Hidden later by staff: still the person's own data.
    second.hidden = True
    second.save()
    make_collection(alice, "Private one")
    make_collection(bob, "Mark's")
    data = export.export_user_data(alice)
    assert [c["name"] for c in data["collections"]] == ["To read", "Private one"]
    exported = data["collections"][0]
    assert (
        exported["public"] is True
        and exported["description"] == "Weekend"
        and exported["slug"] == "to-read"
    )
    assert [(p["arxiv_id"], p["note"]) for p in exported["papers"]] == [
        (first.arxiv_id, "skim"),
        (second.arxiv_id, ""),
    ]
    assert data["collections"][1]["public"] is False
