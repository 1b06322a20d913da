from django.apps import AppConfig


class ForyouConfig(AppConfig):
    """For you: each reader's personal ranking of new papers, from their private signals."""

    name = "dailypapers.foryou"
    label = "foryou"
