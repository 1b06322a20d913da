"""System checks of the site-wide configuration (`dailypapers check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def check_secret_key_is_set(app_configs, **kwargs):
    # settings.py falls back to a key generated in DATA_DIR outside production
    # configurations; a deployment keeps its own (`dailypapers serve` refuses without).
    if getattr(settings, "SECRET_KEY_IS_LOCAL", False):
        return [
            Warning(
                "SECRET_KEY is not set: the key generated in DATA_DIR/secret_key is in use.",
                hint="Set SECRET_KEY in the environment of every dailypapers process.",
                id="dailypapers.W001",
            )
        ]
    return []
