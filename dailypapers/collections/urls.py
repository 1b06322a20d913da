# Collection pages. `u/<username>/…` sits beside the profile page (accounts, `u/<username>`):
# its `str` converter stops at "/", so the two never match the same address.
from django.urls import path

from dailypapers.collections import views

app_name = "collections"

_BASE = "u/<str:username>/collections/<slug:slug>"

urlpatterns = [
    path("collections", views.index, name="index"),
    path("collections/new", views.create, name="create"),
    path("collections/add", views.add, name="add"),
    path(_BASE, views.detail, name="detail"),
    path(f"{_BASE}/rss", views.rss, name="rss"),
    path(f"{_BASE}/edit", views.edit, name="edit"),
    path(f"{_BASE}/delete", views.delete, name="delete"),
    path(f"{_BASE}/remove", views.remove, name="remove"),
]
