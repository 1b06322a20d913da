"""Collections' rules: names and slugs, limits, the one-paper-once constraint,
suspension, ownership and the export."""

import pytest
from django.db import IntegrityError, transaction

from dailypapers.accounts.models import Profile
from dailypapers.collections import export, services
from dailypapers.collections.models import Collection, CollectionItem
from tests.collections_helpers import make_collection, make_user, mark, olivia  # noqa: F401
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def test_it_makes_the_slug_from_the_name_and_numbers_collisions(olivia):
    first = services.create_collection(olivia, "  Diffusion   models! ")
    second = services.create_collection(olivia, "Diffusion models")
    third = services.create_collection(olivia, "diffusion-models")
    assert first.name == "Diffusion models!"
    assert [first.slug, second.slug, third.slug] == ["diffusion-models", "diffusion-models-2", "diffusion-models-3"]


def test_slugs_are_unique_per_owner_only(olivia, mark):
    assert services.create_collection(olivia, "To read").slug == "to-read"
    assert services.create_collection(mark, "To read").slug == "to-read"


def test_a_name_without_ascii_letters_gets_a_generic_slug(olivia):
    assert services.create_collection(olivia, "論文").slug == "collection"
    assert services.create_collection(olivia, "!!!").slug == "collection-2"


def test_the_database_refuses_a_second_collection_with_the_same_slug(olivia):
    services.create_collection(olivia, "To read")
    with pytest.raises(IntegrityError), transaction.atomic():
        Collection.objects.create(owner=olivia, name="Other", slug="to-read")


def test_renaming_keeps_the_address(olivia):
    collection = services.create_collection(olivia, "To read")
    services.update_collection(olivia, collection, "Read already", "Line one\nline two", True)
    collection.refresh_from_db()
    assert (collection.name, collection.slug, collection.public) == ("Read already", "to-read", True)
    assert collection.description == "Line one\nline two"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_it_refuses_empty_or_long_names(olivia, name):
    with pytest.raises(services.Refused):
        services.create_collection(olivia, name)
    assert not Collection.objects.exists()


def test_it_refuses_long_descriptions_and_notes(olivia):
    with pytest.raises(services.Refused, match="2000"):
        services.create_collection(olivia, "x", description="d" * 2001)
    collection = services.create_collection(olivia, "x")
    with pytest.raises(services.Refused, match="500"):
        services.add_paper(olivia, make_paper().arxiv_id, collection=collection, note="n" * 501)


def test_a_paper_is_added_once(olivia):
    paper = make_paper()
    collection = services.create_collection(olivia, "To read")
    services.add_paper(olivia, paper.arxiv_id, collection=collection, note="  for Friday ")
    with pytest.raises(services.Refused, match="already in “To read”"):
        services.add_paper(olivia, paper.arxiv_id, collection=collection)
    assert list(collection.items.values_list("note", flat=True)) == ["for Friday"]


def test_the_database_refuses_a_paper_twice_in_a_collection(olivia):
    paper = make_paper()
    collection = make_collection(olivia, papers=[paper])
    with pytest.raises(IntegrityError), transaction.atomic():
        CollectionItem.objects.create(collection=collection, paper=paper)


def test_adding_to_a_new_name_creates_the_collection(olivia):
    paper = make_paper()
    item = services.add_paper(olivia, paper.arxiv_id, new_name="Benchmarks")
    assert item.collection.owner == olivia
    assert item.collection.slug == "benchmarks"
    assert not item.collection.public


def test_a_refused_add_to_a_new_name_leaves_no_empty_collection(olivia):
    with pytest.raises(services.Refused, match="No such paper"):
        services.add_paper(olivia, "2501.99999", new_name="Benchmarks")
    assert not Collection.objects.exists()


def test_hidden_papers_cannot_be_added(olivia):
    paper = make_paper(hidden=True)
    collection = make_collection(olivia)
    with pytest.raises(services.Refused, match="No such paper"):
        services.add_paper(olivia, paper.arxiv_id, collection=collection)


def test_removing_a_paper(olivia):
    paper = make_paper()
    collection = make_collection(olivia, papers=[paper])
    assert services.remove_paper(olivia, collection, paper.arxiv_id) is True
    assert services.remove_paper(olivia, collection, paper.arxiv_id) is False
    assert not collection.items.exists()


def test_others_cannot_change_a_collection(olivia, mark):
    paper = make_paper()
    collection = make_collection(olivia, public=True, papers=[paper])
    with pytest.raises(services.Refused, match="not yours"):
        services.add_paper(mark, make_paper().arxiv_id, collection=collection)
    with pytest.raises(services.Refused, match="not yours"):
        services.remove_paper(mark, collection, paper.arxiv_id)
    with pytest.raises(services.Refused, match="not yours"):
        services.update_collection(mark, collection, "Mine now", "", True)
    with pytest.raises(services.Refused, match="not yours"):
        services.delete_collection(mark, collection)
    assert collection.items.count() == 1
    collection.refresh_from_db()
    assert collection.name == "Reading list"


def test_a_suspended_person_cannot_change_collections(olivia):
    paper = make_paper()
    collection = make_collection(olivia, papers=[paper])
    Profile.of(olivia).suspend("spam")
    for change in (
        lambda: services.create_collection(olivia, "Another"),
        lambda: services.add_paper(olivia, make_paper().arxiv_id, collection=collection),
        lambda: services.add_paper(olivia, make_paper().arxiv_id, new_name="Another"),
        lambda: services.remove_paper(olivia, collection, paper.arxiv_id),
        lambda: services.update_collection(olivia, collection, "Renamed", "", True),
        lambda: services.delete_collection(olivia, collection),
    ):
        with pytest.raises(services.Refused, match="suspended"):
            change()
    assert Collection.objects.get() == collection
    assert collection.items.count() == 1


def test_the_number_of_collections_is_limited(olivia, monkeypatch):
    monkeypatch.setattr(services, "MAX_COLLECTIONS", 2)
    services.create_collection(olivia, "one")
    services.create_collection(olivia, "two")
    with pytest.raises(services.Refused, match="2 collections"):
        services.create_collection(olivia, "three")
    assert Collection.objects.count() == 2


def test_the_number_of_papers_in_a_collection_is_limited(olivia, monkeypatch):
    monkeypatch.setattr(services, "MAX_ITEMS", 1)
    collection = make_collection(olivia, papers=[make_paper()])
    with pytest.raises(services.Refused, match="holds 1 papers"):
        services.add_paper(olivia, make_paper().arxiv_id, collection=collection)


def test_adding_and_removing_move_updated_at(olivia):
    paper = make_paper()
    collection = make_collection(olivia)
    Collection.objects.filter(pk=collection.pk).update(updated_at="2020-01-01T00:00:00Z")
    services.add_paper(olivia, paper.arxiv_id, collection=collection)
    collection.refresh_from_db()
    assert collection.updated_at.year > 2020


def test_deleting_a_collection_deletes_its_items_not_the_papers(olivia):
    paper = make_paper()
    collection = make_collection(olivia, papers=[paper])
    services.delete_collection(olivia, collection)
    assert not CollectionItem.objects.exists()
    paper.refresh_from_db()  # still there


def test_deleting_the_owner_deletes_their_collections(olivia):
    make_collection(olivia, papers=[make_paper()])
    olivia.delete()
    assert not Collection.objects.exists() and not CollectionItem.objects.exists()


def test_the_export_lists_collections_with_arxiv_ids_and_notes(olivia, mark):
    first, second = make_paper(), make_paper()
    collection = make_collection(olivia, "To read", public=True, description="Weekend")
    services.add_paper(olivia, first.arxiv_id, collection=collection, note="skim")
    services.add_paper(olivia, second.arxiv_id, collection=collection)
    # Hidden later by staff: still the person's own data.
    second.hidden = True
    second.save()
    make_collection(olivia, "Private one")
    make_collection(mark, "Mark's")
    data = export.export_user_data(olivia)
    assert [c["name"] for c in data["collections"]] == ["To read", "Private one"]
    exported = data["collections"][0]
    assert exported["public"] is True and exported["description"] == "Weekend" and exported["slug"] == "to-read"
    assert [(p["arxiv_id"], p["note"]) for p in exported["papers"]] == [(first.arxiv_id, "skim"), (second.arxiv_id, "")]
    assert data["collections"][1]["public"] is False
