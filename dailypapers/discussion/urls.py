from django.urls import path, re_path

from dailypapers.discussion import views
from dailypapers.lib.arxiv_ids import URL_PATTERN

app_name = "discussion"

urlpatterns = [
    re_path(rf"^papers/{URL_PATTERN}/comments$", views.post, name="post"),
    path("comments/<int:pk>", views.thread, name="thread"),
    path("comments/<int:pk>/edit", views.edit, name="edit"),
    path("comments/<int:pk>/delete", views.delete, name="delete"),
    path("comments/<int:pk>/report", views.report, name="report"),
    path("comments/<int:pk>/hide", views.hide, name="hide"),
]
