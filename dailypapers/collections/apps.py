from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    """Named lists of papers, public or private, with a page and an RSS feed."""

    name = "dailypapers.collections"
    label = "paper_collections"
