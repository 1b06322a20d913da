from django.apps import AppConfig


class CommunityConfig(AppConfig):
    """Upvotes and paper submissions to the daily feed."""

    name = "dailypapers.community"
    label = "community"
    # A deleted account's upvotes go with it (the rows cascade) and the counts they added
    # to feed entries go down with them: database triggers keep the counters
    # (community/counters.py), whatever deletes the rows.
