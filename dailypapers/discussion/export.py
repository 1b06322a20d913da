"""This app's part of a person's data export (the profile page's JSON download)."""

from dailypapers.discussion.models import Comment, Report


def export_user_data(user):
    """A JSON-serialisable dict of what this app holds about `user`: their comments
    (deleted ones have no text left) and the reports they made."""
    comments = Comment.objects.filter(user=user).select_related("paper").order_by("created_at")
    reports = Report.objects.filter(reporter=user).order_by("created_at")
    return {
        "comments": [
            {
                "id": c.pk,
                "paper": c.paper.arxiv_id,
                "parent_id": c.parent_id,
                "body": c.body,
                "created_at": c.created_at.isoformat(),
                "edited_at": c.edited_at.isoformat() if c.edited_at else None,
                "deleted_at": c.deleted_at.isoformat() if c.deleted_at else None,
                "hidden": c.hidden,
            }
            for c in comments
        ],
        "reports": [
            {
                "comment_id": r.comment_id,
                "reason": r.reason,
                "details": r.details,
                "created_at": r.created_at.isoformat(),
            }
            for r in reports
        ],
    }
