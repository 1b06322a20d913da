from django.urls import path, re_path

from dailypapers.foryou import views
from dailypapers.lib.arxiv_ids import URL_PATTERN

app_name = "foryou"

urlpatterns = [
    path("for-you", views.page, name="page"),
    path("for-you/lists", views.lists, name="lists"),
    path("for-you/seed", views.seed, name="seed"),
    path("for-you/start", views.seeds, name="seeds"),
    path("for-you/start/author", views.seed_author, name="seed-author"),
    path("for-you/follow", views.follow, name="follow"),
    path("for-you/follow/<int:follow_id>/remove", views.unfollow, name="unfollow"),
    path("for-you/controls", views.controls, name="controls"),
    path("for-you/reset", views.reset, name="reset"),
    re_path(rf"^for-you/feedback/{URL_PATTERN}$", views.feedback, name="feedback"),
    re_path(r"^for-you/date/(?P<value>[^/]+)$", views.day_for_me, name="day"),
    path("for-you/link/<str:token>", views.link_feedback, name="link-feedback"),
    path("for-you/feed-token", views.feed_token, name="feed-token"),
    re_path(
        r"^for-you/feed/(?P<token>fy_[\w-]{1,64})\.(?P<fmt>rss|atom)$", views.feed, name="feed"
    ),
]
