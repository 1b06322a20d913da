from django.apps import AppConfig


class IngestConfig(AppConfig):
    """Importers that bring papers into the catalogue and the feed."""

    name = "dailypapers.ingest"
    label = "ingest"
