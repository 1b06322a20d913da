from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    """People: profiles, suspension, API tokens; sign-up and log-in through allauth."""

    default = True
    name = "dailypapers.accounts"
    label = "accounts"
    # allauth's "account" app is called "Accounts" in the admin already.
    verbose_name = "Profiles and API tokens"


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with dailypapers' AdminSite as `admin.site` (settings'
    INSTALLED_APPS names this instead of "django.contrib.admin")."""

    default = False
    default_site = "dailypapers.accounts.admin_site.AdminSite"
