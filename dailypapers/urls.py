from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "dailypapers administration"
admin.site.site_title = "dailypapers admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("feeds/", include("dailypapers.feeds.urls")),
    path("", include("dailypapers.api.urls")),
    path("", include("dailypapers.search.urls")),
    path("", include("dailypapers.papers.urls")),
]
