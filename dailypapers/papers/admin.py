from django.contrib import admin
from django.utils import timezone

from dailypapers.core.forms import ADMIN_TEXT_OVERRIDES
from dailypapers.papers.models import FeedEntry, Paper


class FeedEntryInline(admin.TabularInline):
    model = FeedEntry
    extra = 0
    fields = ("day", "upvotes", "num_comments", "submitter_name", "hidden")
    # The counters are the database's (community/counters.py, discussion/counters.py).
    readonly_fields = ("upvotes", "num_comments", "submitter_name")
    show_change_link = True


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_TEXT_OVERRIDES  # what XML cannot hold is removed
    list_display = ("arxiv_id", "title", "primary_category", "version", "hidden", "updated_at")
    list_filter = ("hidden",)
    list_editable = ("hidden",)
    search_fields = ("=arxiv_id", "title")
    # Categories come from arXiv with their PaperCategory rows (written by the importers);
    # editing the list here would leave those rows behind.
    readonly_fields = (
        "categories",
        "primary_category",
        "metadata_source",
        "created_at",
        "updated_at",
    )
    inlines = [FeedEntryInline]
    actions = ["hide", "unhide"]
    show_full_result_count = False  # COUNT(*) over a large catalogue on every list page

    @admin.action(description="Hide selected papers")
    def hide(self, request, queryset):
        # updated_at moves too: page caches are keyed on it.
        queryset.update(hidden=True, updated_at=timezone.now())

    @admin.action(description="Show selected papers")
    def unhide(self, request, queryset):
        queryset.update(hidden=False, updated_at=timezone.now())


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_TEXT_OVERRIDES  # what XML cannot hold is removed
    list_display = ("day", "paper", "upvotes", "num_comments", "hidden")
    list_filter = ("hidden",)
    date_hierarchy = "day"
    raw_id_fields = ("paper", "submitted_by")
    search_fields = ("=paper__arxiv_id", "paper__title")
    # Counters follow the vote and comment rows (database triggers: community/counters.py,
    # discussion/counters.py) and the importers' counts: never typed in by hand.
    readonly_fields = (
        "upvotes", "num_comments", "imported_upvotes", "imported_comments", "created_at", "updated_at"
    )  # fmt: skip
