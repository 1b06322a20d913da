from django.apps import AppConfig


class CommunityConfig(AppConfig):
    """Upvotes and paper submissions to the daily feed."""

    name = "dailypapers.community"
    label = "community"
