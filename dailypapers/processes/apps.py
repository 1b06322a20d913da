from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    """The commands that run the site as a whole: `serve` (the web server), `worker` (every
    app's periodic jobs) and `load-demo`. They sit above the product apps and call each
    app's public functions; no app imports this one."""

    name = "dailypapers.processes"
    label = "processes"
