from django.apps import AppConfig


class PapersConfig(AppConfig):
    """The catalogue of papers and the daily feed built from it."""

    name = "dailypapers.papers"
    label = "papers"
