"""The users' admin: their suspension and API tokens inline, suspend / unsuspend actions,
and deletion through people.services.delete_account (what it removes from every app)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from dailypapers.accounts import services as accounts
from dailypapers.accounts.models import ApiToken, Profile
from dailypapers.accounts.rules import Refused, may_act_on
from dailypapers.people import services

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["suspended_at", "suspension_reason"]
    verbose_name = verbose_name_plural = "suspension"

    def get_readonly_fields(self, request, obj=None):
        # One's own suspension is read-only (nobody lifts their own); a superuser's is
        # read-only to the rest of staff through DailypapersUserAdmin.has_change_permission.
        if obj is not None and may_act_on(request.user, obj) is not None:
            return self.fields
        return []


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = True
    fields = ["name", "prefix", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # Tokens are made on the account page or with `dailypapers token create`, where
        # the token text can be shown once.
        return False


def _each_allowed(modeladmin, request, queryset, change):
    """Apply `change(user)` to each selected user `request.user` may act on
    (rules.may_act_on: not oneself, a superuser only as a superuser); the others are
    named in a warning. The number changed."""
    done, refused = 0, []
    for user in queryset:
        try:
            change(user)
            done += 1
        except Refused as refusal:
            refused.append(f"{user.username} ({refusal.message})")
    if refused:
        modeladmin.message_user(request, "Left unchanged: " + "; ".join(refused), messages.WARNING)
    return done


@admin.action(description="Suspend selected users (they can read but not take part)")
def suspend_users(modeladmin, request, queryset):
    reason = f"suspended by {request.user.username}"
    done = _each_allowed(
        modeladmin, request, queryset, lambda user: accounts.suspend(request.user, user, reason)
    )
    modeladmin.message_user(request, f"{done} user(s) suspended.", messages.SUCCESS)


@admin.action(description="Unsuspend selected users")
def unsuspend_users(modeladmin, request, queryset):
    done = _each_allowed(
        modeladmin, request, queryset, lambda user: accounts.unsuspend(request.user, user)
    )
    modeladmin.message_user(request, f"{done} user(s) unsuspended.", messages.SUCCESS)


@admin.display(boolean=True, description="suspended")
def is_suspended(user):
    profile = getattr(user, "profile", None)
    return profile is not None and profile.suspended


class DailypapersUserAdmin(UserAdmin):
    inlines = [ProfileInline, ApiTokenInline]
    actions = [suspend_users, unsuspend_users]
    list_display = [
        "username",
        "email",
        "is_active",
        "is_staff",
        is_suspended,
        "date_joined",
        "last_login",
    ]
    list_filter = [*UserAdmin.list_filter, "profile__suspended_at"]
    list_select_related = ["profile"]
    # What makes an account more powerful: set by superusers only, so that no member of
    # staff can make themselves (or anyone) a superuser.
    superuser_fields = ["is_superuser", "groups", "user_permissions"]

    def has_change_permission(self, request, obj=None):
        # Only superusers act on superusers: the rest of staff see their page read-only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += self.superuser_fields
        return readonly

    def delete_model(self, request, obj):
        # What deleting an account removes is services.delete_account's to say.
        services.delete_account(obj)

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action: superusers are left to superusers.
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        for user in queryset:
            services.delete_account(user)


admin.site.unregister(User)
admin.site.register(User, DailypapersUserAdmin)
