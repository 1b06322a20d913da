"""Staff views of subscriptions and the outbox: read-mostly; state changes go through
the pages, the commands and subscriptions.py, outbox.py, sending.py."""

from django.contrib import admin

from dailypapers.digests.models import OutboxMessage, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "frequency",
        "status",
        "confirmed_at",
        "hard_bounces",
        "disabled_at",
        "created_at",
    ]
    list_filter = ["status", "frequency"]
    search_fields = ["email"]
    readonly_fields = [
        "nonce",
        "confirmed_at",
        "confirmation_sent_at",
        "hard_bounces",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # A row's address never changes: its unsubscribe links, which never expire, name
        # the row (dailypapers/digests/tokens.py). A new address is a new subscription.
        return [*self.readonly_fields, "email"] if obj is not None else self.readonly_fields


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "period",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "period"]
    search_fields = ["subscription__email", "message_id"]
    raw_id_fields = ["subscription"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False
