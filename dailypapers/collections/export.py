"""This app's part of a person's data export (the profile page's JSON download)."""

from django.db.models import Prefetch

from dailypapers.collections.models import Collection, CollectionItem


def export_user_data(user):
    """`user`'s collections, private ones and hidden papers included (they are the
    person's own data), each with its papers' arXiv ids and notes, oldest first."""
    items = CollectionItem.objects.select_related("paper").order_by("added_at", "id")
    collections = (
        Collection.objects.filter(owner=user)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("created_at", "id")
    )
    return {
        "collections": [
            {
                "name": c.name,
                "slug": c.slug,
                "description": c.description,
                "public": c.public,
                "created_at": c.created_at.isoformat(),
                "updated_at": c.updated_at.isoformat(),
                "papers": [
                    {
                        "arxiv_id": item.paper.arxiv_id,
                        "note": item.note,
                        "added_at": item.added_at.isoformat(),
                    }
                    for item in c.items.all()
                ],
            }
            for c in collections
        ]
    }
