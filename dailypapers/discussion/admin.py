from collections import Counter

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db import router
from django.db.models import Count, Q
from django.db.models.deletion import Collector
from django.utils.text import Truncator

from dailypapers.core.forms import ADMIN_TEXT_OVERRIDES
from dailypapers.discussion import services
from dailypapers.discussion.models import Comment, Report


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_TEXT_OVERRIDES  # what XML cannot hold is removed
    list_display = [
        "id",
        "excerpt",
        "user",
        "paper",
        "created_at",
        "hidden",
        "is_deleted",
        "open_reports",
    ]
    list_filter = ["hidden", ("deleted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["body", "user__username", "paper__arxiv_id"]
    list_select_related = ["user", "paper"]
    raw_id_fields = ["paper", "user", "parent"]
    # body_html is derived from body by services.render_markdown: never edited by hand.
    readonly_fields = ["body_html", "created_at", "edited_at", "deleted_at", "hidden"]
    actions = ["hide", "unhide"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        )

    @admin.display(description="comment")
    def excerpt(self, obj):
        return Truncator(obj.body or "[deleted]").chars(80)

    @admin.display(boolean=True, description="deleted", ordering="deleted_at")
    def is_deleted(self, obj):
        return obj.deleted

    @admin.display(description="open reports", ordering="_open_reports")
    def open_reports(self, obj):
        return obj._open_reports

    def _set_hidden(self, request, queryset, hidden):
        # Through the service (staff check, reasons); the counters follow by trigger.
        try:
            for comment in queryset:
                services.hide_comment(request.user, comment, hidden=hidden)
        except services.Refused as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request,
            f"{queryset.count()} comment(s) {'hidden' if hidden else 'shown'}.",
            messages.SUCCESS,
        )

    @admin.action(description="Hide selected comments")
    def hide(self, request, queryset):
        self._set_hidden(request, queryset, True)

    @admin.action(description="Unhide selected comments")
    def unhide(self, request, queryset):
        self._set_hidden(request, queryset, False)

    def has_add_permission(self, request):
        # Comments are written on the site (services.post_comment checks and renders them).
        return False

    def get_deleted_objects(self, objs, request):
        """What the delete confirmation lists, flat. Django's list nests every reply under
        its parent, one level of recursion per level of replies: deleting the top of a
        deep thread (1,000 levels) raised RecursionError. The deletion itself cascades
        without recursion (models.cascade_replies)."""
        objs = list(objs)
        collector = Collector(using=router.db_for_write(Comment))
        collector.collect(objs)
        counts = Counter()
        for model, instances in collector.data.items():
            counts[model] += len(instances)
        for queryset in collector.fast_deletes:
            counts[queryset.model] += queryset.count()
        listed = [f"Comment: {obj}" for obj in objs[:100]]
        if len(objs) > 100:
            listed.append(f"and {len(objs) - 100} more comments")
        replies = counts[Comment] - len(objs)
        if replies:
            listed.append(f"with {replies} repl{'y' if replies == 1 else 'ies'} to them")
        perms_needed = {
            model._meta.verbose_name
            for model in counts
            if model in self.admin_site._registry
            and not request.user.has_perm(
                f"{model._meta.app_label}.{get_permission_codename('delete', model._meta)}"
            )
        }
        model_count = {model._meta.verbose_name_plural: n for model, n in counts.items() if n}
        return listed, model_count, perms_needed, []


class OpenFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "comment_excerpt",
        "reporter",
        "reason",
        "details",
        "created_at",
        "resolved_at",
        "resolved_by",
        "comment_hidden",
    ]
    list_filter = [OpenFilter, "reason"]
    search_fields = ["comment__body", "reporter__username", "details"]
    list_select_related = ["comment", "reporter", "resolved_by"]
    raw_id_fields = ["comment", "reporter", "resolved_by"]
    readonly_fields = ["created_at"]
    ordering = ["-created_at"]
    actions = ["hide_comments", "mark_resolved"]

    @admin.display(description="comment")
    def comment_excerpt(self, obj):
        return Truncator(obj.comment.body or "[deleted]").chars(80)

    @admin.display(boolean=True, description="hidden")
    def comment_hidden(self, obj):
        return obj.comment.hidden

    @admin.action(description="Hide reported comments (and mark the reports resolved)")
    def hide_comments(self, request, queryset):
        comments = Comment.objects.filter(pk__in=queryset.values("comment_id"))
        count = 0
        try:
            for comment in comments:
                services.hide_comment(request.user, comment, hidden=True)
                count += 1
        except services.Refused as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        services.resolve_reports(request.user, Report.objects.filter(comment__in=comments))
        self.message_user(request, f"{count} comment(s) hidden.", messages.SUCCESS)

    @admin.action(description="Mark resolved")
    def mark_resolved(self, request, queryset):
        count = services.resolve_reports(request.user, queryset)
        self.message_user(request, f"{count} report(s) marked resolved.", messages.SUCCESS)
