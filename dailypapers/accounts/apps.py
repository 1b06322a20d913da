from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People: profiles, suspension, API tokens; sign-up and log-in through allauth."""

    name = "dailypapers.accounts"
    label = "accounts"
    # allauth's "account" app is called "Accounts" in the admin already.
    verbose_name = "Profiles and API tokens"
