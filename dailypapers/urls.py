from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "dailypapers administration"
admin.site.site_title = "dailypapers admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("feeds/", include("dailypapers.feeds.urls")),
    path("", include("dailypapers.api.urls")),
    # Accounts: allauth's flows under /accounts/ (sign-up, log-in, email, password);
    # ours (profile, tokens, export, deletion: dailypapers/people) beside them.
    path("accounts/", include("allauth.urls")),
    path("", include("dailypapers.people.urls")),
    path("", include("dailypapers.community.urls")),
    path("", include("dailypapers.discussion.urls")),
    path("", include("dailypapers.collections.urls")),
    path("", include("dailypapers.digests.urls")),
    path("", include("dailypapers.search.urls")),
    path("", include("dailypapers.foryou.urls")),
    path("", include("dailypapers.papers.urls")),
]
