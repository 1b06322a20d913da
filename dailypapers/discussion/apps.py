from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    """Comments on papers (threaded, Markdown, sanitised) and reports to moderators."""

    name = "dailypapers.discussion"
    label = "discussion"
