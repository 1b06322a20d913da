from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class CommunityConfig(AppConfig):
    """Upvotes and paper submissions to the daily feed."""

    name = "dailypapers.community"
    label = "community"

    def ready(self):
        # A deleted account's upvotes go (the rows cascade), and the counts they added
        # to feed entries must go down with them: counters are not recomputed from rows.
        # A signal rather than a call in accounts/services.py:delete_account, so that a
        # deletion from the admin site keeps the counts right too.
        pre_delete.connect(_forget_votes, sender=settings.AUTH_USER_MODEL, dispatch_uid="community-forget-votes")


def _forget_votes(sender, instance, **kwargs):
    from dailypapers.community.services import remove_votes

    remove_votes(instance)
