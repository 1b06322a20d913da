from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces: base templates, static files, the `serve` and `load-demo` commands."""

    name = "dailypapers.core"
    label = "core"

    def ready(self):
        from dailypapers.core import checks  # noqa: F401 - registers the checks
