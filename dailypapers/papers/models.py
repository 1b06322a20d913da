"""The catalogue (Paper) and the daily feed (FeedEntry).

A Paper is any arXiv paper we know of, keyed by its arXiv id without version. A
FeedEntry is a paper featured on one feed day; only featured papers appear in the
day/week/month pages and on trending. Users, votes and comments (the community
issue) attach to FeedEntry and Paper through foreign keys; the counters kept here
(`upvotes`, `num_comments`) follow their rows by database triggers
(community/counters.py, discussion/counters.py).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse


class PaperQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden=False)


class Paper(models.Model):
    arxiv_id = models.CharField(max_length=32, unique=True)
    # Latest version we have seen (None when the source does not say, e.g. listings).
    version = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.TextField()
    abstract = models.TextField(blank=True)
    # Author names in paper order. A list of strings: authors are displayed and searched,
    # never joined on, so a table of its own would only slow imports down.
    authors = models.JSONField(default=list, blank=True)
    # All arXiv categories in arXiv's order; the primary one is also kept apart for
    # display, and every one is in PaperCategory (indexed) for per-category listings.
    categories = models.JSONField(default=list, blank=True)
    primary_category = models.CharField(max_length=32, blank=True)

    published = models.DateTimeField(null=True, blank=True, help_text="arXiv v1 submission time")
    updated = models.DateTimeField(null=True, blank=True, help_text="arXiv latest version time")
    announced_on = models.DateField(null=True, blank=True, help_text="arXiv listing day")

    comment = models.TextField(blank=True)
    journal_ref = models.TextField(blank=True)
    doi = models.CharField(max_length=255, blank=True)
    license = models.CharField(max_length=255, blank=True)

    github_repo = models.URLField(max_length=500, blank=True)
    github_stars = models.PositiveIntegerField(null=True, blank=True)
    project_page = models.URLField(max_length=500, blank=True)
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)

    # Which kind of source gave the title, abstract, authors and publication time. arXiv
    # metadata outranks Hugging Face's copy of it, so importing both, in any order and
    # any number of times, settles on arXiv's text (dailypapers/ingest/loader.py).
    metadata_source = models.CharField(max_length=16, blank=True)

    hidden = models.BooleanField(
        default=False, help_text="Hidden papers appear nowhere on the site."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set on every change, including bulk updates by the importers: page caches are keyed
    # on it (dailypapers/papers/selectors.py).
    updated_at = models.DateTimeField(auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-arxiv_id"]
        indexes = [
            # Search checks whether its candidates are hidden: from this index, without
            # reading the rows (whose abstracts make them long).
            models.Index(fields=["id", "hidden"], name="paper_id_hidden_idx"),
            # For you's candidates: the papers of a listing day or week, and the newest day.
            models.Index(fields=["announced_on"], name="paper_announced_idx"),
        ]

    def __str__(self):
        return f"{self.arxiv_id}: {self.title[:80]}"

    def get_absolute_url(self):
        return reverse("papers:paper", kwargs={"arxiv_id": self.arxiv_id})

    @property
    def abs_url(self):
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self):
        return f"https://arxiv.org/pdf/{self.arxiv_id}"

    @property
    def github_name(self):
        """`owner/repo` for display."""
        prefix = "https://github.com/"
        if self.github_repo.startswith(prefix):
            return self.github_repo[len(prefix) :].strip("/")
        return self.github_repo


class PaperCategory(models.Model):
    """One row per (paper, arXiv category), for category listings and feeds."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="category_rows")
    category = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "category"], name="paper_category_unique"),
        ]
        indexes = [models.Index(fields=["category", "paper"], name="category_paper_idx")]

    def __str__(self):
        return f"{self.paper_id}:{self.category}"


class FeedEntryQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden=False, paper__hidden=False)

    def ranked(self):
        """Community order: most upvotes first; ties keep the order of submission."""
        return self.order_by("-upvotes", "day", "position", "id")


class FeedEntry(models.Model):
    """A paper featured on a feed day.

    `day` is the day the paper was submitted to the feed, in settings.FEED_TIME_ZONE,
    distinct from its arXiv dates. A paper is featured at most once a day (database
    constraint); a few papers are featured again on a later day.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="feed_entries")
    day = models.DateField()
    submitted_at = models.DateTimeField()
    # The local account that submitted the paper; imported entries have none, and an
    # entry loses it when the account is deleted. The API's ?submitter= matches this
    # account's username, never the stored name, so a name cannot bring history with it.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The local submitter's username when they submitted (what the API shows as
    # submittedBy). Empty for imported entries (importers keep no source accounts) and
    # once the account is deleted (people.services.delete_account).
    submitter_name = models.CharField(max_length=150, blank=True)
    # The source's count (imported_*: Hugging Face's) plus the paper's local votes and
    # comments, each of which adds or removes one by trigger in the statement that writes
    # its row (community/counters.py, discussion/counters.py). The importer
    # (ingest/loader.py) moves the imported part only, in SQL, so a re-import neither
    # erases local votes nor loses one cast while it runs. Pages show the two parts of
    # the comment count apart (local_comments, imported_comments): only local comments
    # are shown here.
    upvotes = models.PositiveIntegerField(default=0)
    num_comments = models.PositiveIntegerField(default=0)
    imported_upvotes = models.PositiveIntegerField(default=0)
    imported_comments = models.PositiveIntegerField(default=0)
    # Rank within the source listing of the day: the tie-break after upvotes, so a day
    # shows its papers in the same order as the source.
    position = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "feed entries"
        constraints = [
            models.UniqueConstraint(fields=["paper", "day"], name="feedentry_paper_day_unique"),
        ]
        indexes = [
            # The day/week/month pages and navigation: range scans by day, ranked.
            models.Index(fields=["day", "-upvotes"], name="feedentry_day_upvotes_idx"),
        ]

    def __str__(self):
        return f"{self.day} {self.paper_id}"

    @property
    def local_comments(self):
        """The comments on this site that people can see (the discussion's count)."""
        return self.num_comments - self.imported_comments
