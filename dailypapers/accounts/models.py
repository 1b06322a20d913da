"""What dailypapers keeps about a person beyond Django's User: suspension, API tokens.

Accounts are Django's own `auth.User` (username, email, Argon2 password hash); sign-up,
email verification, log-in and password reset are allauth's (settings, "Accounts").
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Profile(models.Model):
    """One per user, created on demand (`Profile.of(user)`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # A suspended user can read and log in but cannot vote, submit, comment or report.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return f"profile of {self.user_id}"

    @classmethod
    def of(cls, user):
        profile, _ = cls.objects.get_or_create(user=user)
        return profile

    @property
    def suspended(self):
        return self.suspended_at is not None

    def suspend(self, reason=""):
        self.suspended_at = timezone.now()
        self.suspension_reason = reason
        self.save(update_fields=["suspended_at", "suspension_reason"])

    def unsuspend(self):
        self.suspended_at = None
        self.suspension_reason = ""
        self.save(update_fields=["suspended_at", "suspension_reason"])


TOKEN_PREFIX = "dp_"


def hash_token(token):
    # Tokens are 256 random bits: a plain SHA-256 is enough to keep a database leak
    # from revealing them (no dictionary to try), and it is looked up by equality.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def create_token(self, user, name=""):
        """A new token for `user`: (ApiToken row, the token text — shown once, never stored)."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = self.create(user=user, name=name[:100], key_hash=hash_token(token), prefix=token[:10])
        return row, token


class ApiToken(models.Model):
    """A bearer token for the write API (`Authorization: Bearer dp_…`), stored hashed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    # The token's first characters, to tell tokens apart on the profile page.
    prefix = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.prefix}… ({self.user_id})"
