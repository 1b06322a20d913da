from django.contrib import admin

from dailypapers.collections.models import Collection, CollectionItem


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    raw_id_fields = ["paper"]
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "slug", "public", "updated_at"]
    list_filter = ["public"]
    search_fields = ["name", "owner__username"]
    raw_id_fields = ["owner"]
    inlines = [CollectionItemInline]
