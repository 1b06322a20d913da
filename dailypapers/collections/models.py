"""Collections: a person's named lists of papers, private by default.

A public collection has a page (/u/<username>/collections/<slug>) and an RSS feed; a
private one is seen by its owner alone (staff included: moderation works on public
content, and the admin site is there for the rest). The rules that change them live in
services.py; the database keeps the invariants: a slug is unique per owner, a paper is
in a collection at most once.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from dailypapers.papers.models import Paper

NAME_MAX = 100
# The slug is made from the name (at most NAME_MAX characters) plus a "-<n>" suffix.
SLUG_MAX = NAME_MAX + 10
DESCRIPTION_MAX = 2000
NOTE_MAX = 500


class Collection(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_collections"
    )
    name = models.CharField(max_length=NAME_MAX)
    # Made from the name when the collection is created and kept when it is renamed, so
    # that links and feed subscriptions keep working (services.unique_slug).
    slug = models.SlugField(max_length=SLUG_MAX, db_index=False)  # indexed by the constraint
    # Plain text, shown with |linebreaks (escaped): no HTML, no Markdown.
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves when the collection is edited or a paper is added or removed (services.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # The address /u/<username>/collections/<slug>; services.create_collection
            # picks a free slug and retries on this constraint when two requests race.
            models.UniqueConstraint(fields=["owner", "slug"], name="collection_owner_slug_unique"),
        ]
        indexes = [
            # The /collections page's list of recently updated public collections.
            models.Index(fields=["public", "-updated_at"], name="collection_public_updated_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.owner_id})"

    def get_absolute_url(self):
        return reverse(
            "collections:detail", kwargs={"username": self.owner.username, "slug": self.slug}
        )


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="collection_items")
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            # A paper is in a collection once; services.add_paper turns a violation
            # (a double click, two tabs) into a clear message.
            models.UniqueConstraint(
                fields=["collection", "paper"], name="collectionitem_collection_paper_unique"
            ),
        ]
        indexes = [
            # A collection's page and feed: its items, newest added first.
            models.Index(fields=["collection", "-added_at"], name="collectionitem_added_idx"),
        ]

    def __str__(self):
        return f"{self.collection_id}:{self.paper_id}"
