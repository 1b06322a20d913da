from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from dailypapers.accounts import services
from dailypapers.accounts.models import ApiToken, Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["suspended_at", "suspension_reason"]
    verbose_name = verbose_name_plural = "suspension"


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


@admin.action(description="Suspend selected users (they can read but not take part)")
def suspend_users(modeladmin, request, queryset):
    for user in queryset:
        services.suspend(user, reason=f"suspended by {request.user.username}")
    modeladmin.message_user(request, f"{queryset.count()} user(s) suspended.", messages.SUCCESS)


@admin.action(description="Unsuspend selected users")
def unsuspend_users(modeladmin, request, queryset):
    for user in queryset:
        services.unsuspend(user)
    modeladmin.message_user(request, f"{queryset.count()} user(s) unsuspended.", messages.SUCCESS)


@admin.display(boolean=True, description="suspended")
def is_suspended(user):
    profile = getattr(user, "profile", None)
    return profile is not None and profile.suspended


class DailypapersUserAdmin(UserAdmin):
    inlines = [ProfileInline, ApiTokenInline]
    actions = [suspend_users, unsuspend_users]
    list_display = ["username", "email", "is_active", "is_staff", is_suspended, "date_joined", "last_login"]
    list_filter = [*UserAdmin.list_filter, "profile__suspended_at"]
    list_select_related = ["profile"]


admin.site.unregister(User)
admin.site.register(User, DailypapersUserAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created_at", "last_used_at"]
    search_fields = ["prefix", "name", "user__username"]
    list_select_related = ["user"]
    fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
