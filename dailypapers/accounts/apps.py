from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People: profiles, suspension, API tokens; sign-up and log-in through allauth."""

    name = "dailypapers.accounts"
    label = "accounts"
