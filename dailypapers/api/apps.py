from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The public JSON API, compatible with Hugging Face's papers API, and its OpenAPI schema."""

    name = "dailypapers.api"
    label = "api"
