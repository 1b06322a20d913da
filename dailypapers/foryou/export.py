"""This app's part of a person's data export (people/services.py)."""

from dailypapers.foryou.models import Feedback, Follow, Reader


def export_user_data(user):
    """A JSON-serialisable dict of what For you holds about `user`: their feedback on
    papers (seeds included), their follows and their settings."""
    reader = Reader.objects.filter(user=user).first()
    return {
        "feedback": [
            {
                "arxiv_id": arxiv_id,
                "signal": signal,
                "source": source,
                "at": at.isoformat(),
            }
            for arxiv_id, signal, source, at in Feedback.objects.filter(user=user)
            .order_by("created_at", "id")
            .values_list("paper__arxiv_id", "signal", "source", "created_at")
        ],
        "follows": [
            {"kind": kind, "value": value, "since": since.isoformat()}
            for kind, value, since in Follow.objects.filter(user=user)
            .order_by("created_at", "id")
            .values_list("kind", "value", "created_at")
        ],
        "settings": None
        if reader is None
        else {
            "count_upvotes": reader.count_upvotes,
            "count_collections": reader.count_collections,
            "paused": reader.paused,
            "hide_seen": reader.hide_seen,
            "digest_mix": reader.digest_mix,
            "private_feed": bool(reader.feed_token_hash),
        },
    }
