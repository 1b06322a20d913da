"""Upvotes. Submissions need no model of their own: a submission is a FeedEntry with
`submitted_by` set (dailypapers/papers/models.py)."""

from django.conf import settings
from django.db import models

from dailypapers.papers.models import Paper


class Upvote(models.Model):
    """One person's upvote of a paper.

    Votes are per paper; every feed entry of the paper carries the count in
    FeedEntry.upvotes, kept by community/services.py:set_vote in the vote's own
    transaction. The unique constraint is what makes a vote count once, however many
    requests race (set_vote relies on it).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upvotes"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="upvote_rows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="upvote_user_paper_unique"),
        ]

    def __str__(self):
        return f"{self.user_id} ▲ {self.paper_id}"
