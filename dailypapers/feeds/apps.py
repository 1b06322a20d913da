from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """RSS 2.0 and Atom feeds of the daily papers, trending and arXiv categories."""

    name = "dailypapers.feeds"
    label = "feeds"
