"""Changes to collections and what the pages read of them.

Every change is a post in the community's sense: it goes through
accounts.rules.check_participation first, so a suspended person cannot make or change
collections (their existing public ones stay readable). A refused change raises
accounts.rules.Refused with the message to show.

Limits (constants, not settings: they bound abuse, they are not tuning knobs):
MAX_COLLECTIONS per person and MAX_ITEMS per collection. Each is checked while holding
a lock on the row that owns the count (the user, the collection), so two requests
cannot both take the last place.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from dailypapers.accounts.rules import Refused, check_participation, has_staff_powers
from dailypapers.collections.models import (
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTE_MAX,
    Collection,
    CollectionItem,
)
from dailypapers.lib.text import xml_safe
from dailypapers.papers.models import Paper

MAX_COLLECTIONS = 200  # per person
MAX_ITEMS = 5000  # per collection
SLUG_ATTEMPTS = 5  # retries when a concurrent request takes the slug first


def _clean_name(name):
    name = " ".join(xml_safe(name or "").split())
    if not name:
        raise Refused("A collection needs a name.")
    if len(name) > NAME_MAX:
        raise Refused(f"A collection name has at most {NAME_MAX} characters.")
    return name


def _clean_description(description):
    description = xml_safe(description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Refused(f"A description has at most {DESCRIPTION_MAX} characters.")
    return description


def unique_slug(owner, name):
    """A slug for `name` not yet used by `owner`'s collections: `reading-list`, then
    `reading-list-2`, … Names without ASCII letters or digits get `collection`."""
    base = slugify(name)[:NAME_MAX].strip("-") or "collection"
    taken = set(
        Collection.objects.filter(owner=owner, slug__startswith=base).values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_collection(owner, name, description="", public=False):
    """A new collection of `owner`'s; its slug is made from the name."""
    check_participation(owner)
    name = _clean_name(name)
    description = _clean_description(description)
    for _ in range(SLUG_ATTEMPTS):
        try:
            with transaction.atomic():
                # Lock the owner's row: the count below stays true until commit.
                get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()
                if Collection.objects.filter(owner=owner).count() >= MAX_COLLECTIONS:
                    raise Refused(f"You have {MAX_COLLECTIONS} collections, the most one can have.")
                return Collection.objects.create(
                    owner=owner,
                    name=name,
                    slug=unique_slug(owner, name),
                    description=description,
                    public=public,
                )
        except IntegrityError:
            # Another request took this slug between our read and our insert: pick again.
            continue
    raise Refused("Could not name the collection; please try again.")


def update_collection(user, collection, name, description, public):
    """Rename, describe, publish or unpublish. The slug stays (links keep working)."""
    check_participation(user)
    _require_owner(user, collection)
    collection.name = _clean_name(name)
    collection.description = _clean_description(description)
    collection.public = public
    collection.save(update_fields=["name", "description", "public", "updated_at"])
    return collection


def delete_collection(user, collection):
    check_participation(user)
    _require_owner(user, collection)
    collection.delete()


def add_paper(user, arxiv_id, collection=None, new_name="", note=""):
    """Put the paper `arxiv_id` into `collection`, or into a new collection named
    `new_name`. Returns the CollectionItem."""
    check_participation(user)
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Refused("No such paper.")
    note = xml_safe(note or "").strip()
    if len(note) > NOTE_MAX:
        raise Refused(f"A note has at most {NOTE_MAX} characters.")
    with transaction.atomic():
        if collection is None:
            collection = create_collection(user, new_name)
        _require_owner(user, collection)
        # Lock the collection's row: the item count below stays true until commit.
        Collection.objects.select_for_update().filter(pk=collection.pk).exists()
        if collection.items.count() >= MAX_ITEMS:
            raise Refused(
                f"“{collection.name}” holds {MAX_ITEMS} papers, the most a collection can."
            )
        try:
            with transaction.atomic():
                item = CollectionItem.objects.create(collection=collection, paper=paper, note=note)
        except IntegrityError:
            # collectionitem_collection_paper_unique: already there (a double click, two tabs).
            raise Refused(f"This paper is already in “{collection.name}”.") from None
        _touch(collection)
    return item


def remove_paper(user, collection, arxiv_id):
    """Take the paper `arxiv_id` out of `collection`; False when it was not there."""
    check_participation(user)
    _require_owner(user, collection)
    with transaction.atomic():
        deleted, _ = CollectionItem.objects.filter(
            collection=collection, paper__arxiv_id=arxiv_id
        ).delete()
        if deleted:
            _touch(collection)
    return deleted > 0


def _require_owner(user, collection):
    # Views look collections up among the requester's own, so this is a second guard
    # for callers that are not views (the shell, future API endpoints).
    if collection.owner_id != user.pk:
        raise Refused("That collection is not yours.")


def _touch(collection):
    Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())


# Reading


def viewable(viewer, username, slug):
    """The collection at /u/<username>/collections/<slug> if `viewer` may see it, else
    None. Private ones are their owner's alone; public ones of inactive accounts are
    shown to staff only (as their profile pages are)."""
    collection = (
        Collection.objects.select_related("owner")
        .filter(owner__username=username, slug=slug)
        .first()
    )
    if collection is None:
        return None
    is_owner = viewer.is_authenticated and viewer.pk == collection.owner_id
    if is_owner:
        return collection
    if not collection.public:
        return None
    if not collection.owner.is_active and not has_staff_powers(viewer):
        return None
    return collection


def owned(user, username, slug):
    """One of `user`'s own collections by address, or None (others' are not editable)."""
    if not user.is_authenticated or user.username != username:
        return None
    return Collection.objects.select_related("owner").filter(owner=user, slug=slug).first()


def owned_by_id(user, collection_id):
    """One of `user`'s own collections by id (the paper page's form), or None."""
    return Collection.objects.filter(owner=user, pk=collection_id).first()


def items_for(collection, include_hidden=False):
    """A collection's items, newest added first. Hidden papers are for staff's eyes
    only: callers pass include_hidden=has_staff_powers(request.user)."""
    items = collection.items.select_related("paper").order_by("-added_at", "-id")
    if not include_hidden:
        items = items.filter(paper__hidden=False)
    return items


def collections_with_paper(user, paper):
    """`user`'s collections (one query), each with `has_paper` set when it holds `paper`."""
    holding = CollectionItem.objects.filter(collection=OuterRef("pk"), paper=paper)
    return list(
        Collection.objects.filter(owner=user)
        .annotate(has_paper=Exists(holding))
        .order_by("name", "id")
    )


def profile_collections(viewer, owner):
    """`owner`'s collections as `viewer` sees them on the profile page (one query):
    public ones, plus private ones for the owner; each with `num_papers`, counting
    hidden papers only for staff."""
    collections = Collection.objects.filter(owner=owner)
    if not (viewer.is_authenticated and viewer.pk == owner.pk):
        collections = collections.filter(public=True)
    counted = Q() if has_staff_powers(viewer) else Q(items__paper__hidden=False)
    collections = collections.select_related("owner").annotate(
        num_papers=Count("items", filter=counted)
    )
    return list(collections.order_by("name", "id"))


def own_collections(user):
    """The /collections page's list of `user`'s collections with their paper counts."""
    counted = Q() if has_staff_powers(user) else Q(items__paper__hidden=False)
    return list(
        Collection.objects.filter(owner=user)
        .select_related("owner")
        .annotate(num_papers=Count("items", filter=counted))
        .order_by("name", "id")
    )


def recent_public(limit=20):
    """Recently changed public collections of active accounts, for the /collections page."""
    return list(
        Collection.objects.filter(public=True, owner__is_active=True)
        .select_related("owner")
        .annotate(num_papers=Count("items", filter=Q(items__paper__hidden=False)))
        .order_by("-updated_at", "-id")[:limit]
    )
