from django.urls import path

from dailypapers.digests import views

app_name = "digests"

urlpatterns = [
    path("subscribe", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>", views.confirm, name="confirm"),
    path("subscribe/manage/<str:token>", views.manage, name="manage"),
    path("subscribe/new-link", views.fresh_link, name="fresh-link"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
