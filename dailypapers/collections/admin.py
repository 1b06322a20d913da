from django.contrib import admin

from dailypapers.collections.models import Collection, CollectionItem
from dailypapers.core.forms import ADMIN_TEXT_OVERRIDES


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    raw_id_fields = ["paper"]
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    formfield_overrides = ADMIN_TEXT_OVERRIDES  # what XML cannot hold is removed
    list_display = ["name", "owner", "slug", "public", "updated_at"]
    list_filter = ["public"]
    search_fields = ["name", "owner__username"]
    raw_id_fields = ["owner"]
    inlines = [CollectionItemInline]
