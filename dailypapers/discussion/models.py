"""Comments on papers (threaded, Markdown rendered once on save) and reports of comments.

Writes go through services.py (participation check, counters, rendering); the models
only hold the rows and the constraints the database keeps.
"""

from django.conf import settings
from django.db import models

from dailypapers.accounts.rules import has_staff_powers

# Long enough for a careful review of a paper, short enough to keep a thread readable.
MAX_BODY_LENGTH = 10_000


def cascade_replies(collector, field, sub_objs, using):
    """on_delete of a reply's parent: CASCADE, without one level of recursion per level of
    replies. Django's CASCADE collects the replies, then their replies, each level a
    nested call, so deleting the top of a chain of ~1,000 replies (in the admin, by a
    queryset's delete()) raised RecursionError. Here the whole subtree is read level by
    level and handed to the collector at once; when the collector then asks about the
    replies of those replies, they are all known and nothing more is read."""
    known = collector.data.get(field.model, set())
    found = [c for c in sub_objs if c not in known]
    frontier = [c.pk for c in found]
    while frontier:
        level = []
        for start in range(0, len(frontier), 500):  # bounded IN lists (SQLite's 999 parameters)
            chunk = frontier[start : start + 500]
            level += list(field.model._base_manager.using(using).filter(parent_id__in=chunk))
        found += level
        frontier = [c.pk for c in level]
    if found:
        models.CASCADE(collector, field, found, using)


class CommentQuerySet(models.QuerySet):
    def thread_order(self):
        # The paper page reads a whole thread with this order, served by the
        # (paper, created_at) index; the tree is built in Python (services.thread).
        return self.order_by("created_at", "id")


class Comment(models.Model):
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="comments")
    # Kept when the account is deleted: the comment stays, shown without a name.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    # A reply. A reply's paper is its parent's (services.post_comment checks it). Deleted
    # comments are soft-deleted, so a parent row outlives its replies' display.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=cascade_replies, related_name="replies"
    )
    body = models.TextField(max_length=MAX_BODY_LENGTH, help_text="Markdown source")
    # Sanitised HTML rendered from `body` by services.render_markdown at each write; the
    # templates print it as is, so nothing else may write it.
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Soft delete: a deleted comment with replies still shows as "[deleted]" to keep
    # its replies in place; its text is cleared.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by staff: visible to staff only (marked), to nobody else.
    hidden = models.BooleanField(default=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [
            # The paper's thread in order (templatetags/discussion.py, api.py).
            models.Index(fields=["paper", "created_at"], name="comment_paper_created_idx"),
            # A person's recent comments (their profile and export).
            models.Index(fields=["user", "-created_at"], name="comment_user_created_idx"),
        ]

    def __str__(self):
        return f"comment {self.pk} on {self.paper_id}"

    @property
    def deleted(self):
        return self.deleted_at is not None

    def visible_to(self, user):
        return not self.hidden or has_staff_powers(user)


class Report(models.Model):
    """A person's report of a comment to the moderators; one per person per comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Harassment or abuse"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="comment_reports",
    )
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.OTHER)
    details = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="report_comment_reporter_unique"
            ),
        ]
        indexes = [
            # The admin's list of open reports, newest first.
            models.Index(fields=["resolved_at", "-created_at"], name="report_open_idx"),
        ]

    def __str__(self):
        return f"report {self.pk} of comment {self.comment_id}"
