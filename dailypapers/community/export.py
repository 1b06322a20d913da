"""This app's part of a person's data export (the profile page's JSON download)."""

from dailypapers.community.models import Upvote


def export_user_data(user):
    """A JSON-serialisable dict of what this app holds about `user`: their upvotes.
    (Their submissions are in the export's top level: people/services.py.)"""
    return {
        "upvotes": [
            {"arxiv_id": arxiv_id, "created_at": created_at.isoformat()}
            for arxiv_id, created_at in Upvote.objects.filter(user=user)
            .order_by("created_at", "id")
            .values_list("paper__arxiv_id", "created_at")
        ]
    }
