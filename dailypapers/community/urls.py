from django.urls import path, re_path

from dailypapers.community import views
from dailypapers.lib.arxiv_ids import URL_PATTERN

app_name = "community"

urlpatterns = [
    re_path(rf"^papers/{URL_PATTERN}/upvote$", views.upvote, name="upvote"),
    re_path(rf"^papers/{URL_PATTERN}/hide$", views.hide, name="hide"),
    path("submit", views.submit, name="submit"),
]
