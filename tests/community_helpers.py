"""Helpers for the community tests (upvotes, submissions, moderation). The personas
(alice and bob take part; mallory is suspended; sam is staff) and the `featured` paper
are fixtures in conftest.py; token_for is in factories.py."""

import datetime as dt

from django.utils import timezone


def recent(days=1):
    return timezone.now() - dt.timedelta(days=days)
