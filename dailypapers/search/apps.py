from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    """Keyword, semantic and hybrid search over the catalogue; similar papers."""

    name = "dailypapers.search"
    label = "search"

    def ready(self):
        from dailypapers.search import keyword

        # The keyword index is kept by the database itself (SQLite triggers, a PostgreSQL
        # generated column). A later migration that rebuilds papers_paper on SQLite drops
        # its triggers; checking after every migrate puts them back.
        post_migrate.connect(keyword.ensure_after_migrate, sender=self)
