from django.urls import path

from dailypapers.people import views

app_name = "people"

urlpatterns = [
    path("u/<str:username>", views.profile, name="profile"),
    path("u/<str:username>/suspension", views.suspension, name="suspension"),
    path("account/", views.settings_page, name="settings"),
    path("account/tokens", views.token_create, name="token-create"),
    path("account/tokens/<int:token_id>/revoke", views.token_revoke, name="token-revoke"),
    path("account/digest/<int:subscription_id>", views.digest, name="digest"),
    path("account/export.json", views.export, name="export"),
    path("account/delete", views.delete, name="delete"),
]
