"""A reader's private signals and their personal model.

Signals: Feedback on a paper ("more like this", "not interested", or a seed the reader
picked or imported), Follow (an arXiv category, an author as arXiv writes the name, a
keyword, a saved search), Seen (papers For you showed, for "hide seen"). Upvotes and
collected papers count as interest too, read from their apps' tables. Reader holds the
reader's choices (what counts, pause, hide seen, the digest's mix, the private feed's
token) and their fitted model (foryou/ranking.py), refitted when a signal changes.

Everything here is the reader's alone: nobody else's ranking reads it; it is in their
data export and goes with their account (CASCADE).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from dailypapers.papers.models import Paper

FEED_TOKEN_PREFIX = "fy_"


class Feedback(models.Model):
    class Signal(models.TextChoices):
        MORE = "more", "More like this"
        NOT_INTERESTED = "not_interested", "Not interested"

    class Source(models.TextChoices):
        BUTTON = "button", "a button"
        PICK = "pick", "picked at the start"
        SEARCH = "search", "picked from search"
        IMPORT = "import", "imported from a file or list"
        AUTHOR = "author", "confirmed as one's own paper"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_feedback"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    signal = models.CharField(max_length=16, choices=Signal.choices)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.BUTTON)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One opinion per paper: a new one replaces the old.
            models.UniqueConstraint(fields=["user", "paper"], name="feedback_one_per_paper"),
            models.CheckConstraint(
                condition=Q(signal__in=["more", "not_interested"]), name="feedback_signal_known"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.signal} {self.paper_id}"


class Follow(models.Model):
    class Kind(models.TextChoices):
        CATEGORY = "category", "arXiv category"
        AUTHOR = "author", "author"
        KEYWORD = "keyword", "keyword"
        QUERY = "query", "saved search"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=250)  # as the reader wrote it
    key = models.CharField(max_length=250)  # normalised: what makes two follows the same
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="follow_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["category", "author", "keyword", "query"]),
                name="follow_kind_known",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.kind} {self.value}"


class Seen(models.Model):
    """A paper For you showed this reader (kept for "hide seen")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="seen_once")]


class Reader(models.Model):
    """One reader's choices and fitted model; made on their first signal or visit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    count_upvotes = models.BooleanField(default=True, help_text="upvotes count as interest")
    count_collections = models.BooleanField(
        default=True, help_text="papers in one's collections count as interest"
    )
    paused = models.BooleanField(default=False, help_text="For you shows the plain feed")
    hide_seen = models.BooleanField(default=False, help_text="papers shown once are not again")
    # The digest's blend: the share of its papers picked for the reader (0: the
    # community's picks only; 100: only the reader's).
    digest_mix = models.PositiveSmallIntegerField(default=50)
    feed_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    feed_token_prefix = models.CharField(max_length=12, blank=True)
    model = models.BinaryField(blank=True, default=b"")  # ranking.ReaderModel.to_bytes()
    model_signals = models.PositiveIntegerField(default=0)
    # What the model was fitted from (selectors.signals_stamp): when the reader's signals
    # change behind For you's back (an upvote, a paper collected), the next read refits.
    model_stamp = models.CharField(max_length=250, blank=True)
    model_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(digest_mix__lte=100), name="reader_mix_percent")
        ]

    def __str__(self):
        return f"reader {self.user_id}"

    @staticmethod
    def hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    def new_feed_token(self):
        """A new secret for the private feed (the old one stops working); returned once,
        stored only as its hash."""
        token = FEED_TOKEN_PREFIX + secrets.token_urlsafe(24)
        self.feed_token_hash = self.hash_token(token)
        self.feed_token_prefix = token[:8]
        return token
