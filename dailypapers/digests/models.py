"""Subscriptions to the email digest and the outbox of digests to send.

A Subscription is one email address (unique, lower-cased) with its choices. The outbox
holds one OutboxMessage per subscription and period, unique in the database: building a
period twice, or two builders at once, never queues a second digest
(outbox.build_outbox relies on the constraint). Senders claim outbox rows with a
conditional UPDATE and a lease (sending.claim_batch); a row whose lease has run out is
claimable again, which is how the rows of a killed sender are picked up.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


def new_nonce():
    return secrets.token_urlsafe(12)


class SubscriptionQuerySet(models.QuerySet):
    def receiving(self, frequency):
        """The subscriptions of `frequency` that receive mail (Subscription.receives_mail):
        active and not disabled after bounces."""
        return self.filter(
            frequency=frequency, status=Subscription.ACTIVE, disabled_at__isnull=True
        )


class Subscription(models.Model):
    DAILY, WEEKLY = "daily", "weekly"
    FREQUENCIES = [(DAILY, "Daily (weekdays)"), (WEEKLY, "Weekly")]
    PENDING, ACTIVE, UNSUBSCRIBED = "pending", "active", "unsubscribed"
    STATUSES = [
        (PENDING, "Waiting for confirmation"),
        (ACTIVE, "Active"),
        (UNSUBSCRIBED, "Unsubscribed"),
    ]

    # Normalised (subscriptions.normalise_email) before it is stored: one row per address.
    email = models.EmailField(max_length=254, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_subscriptions",
    )
    frequency = models.CharField(max_length=8, choices=FREQUENCIES, default=DAILY)
    # Filters: papers in these arXiv categories, or with these words in the title or
    # abstract, or by these authors are added to the period's top papers.
    categories = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    authors = models.JSONField(default=list, blank=True)
    max_papers = models.PositiveSmallIntegerField(default=10)
    status = models.CharField(max_length=16, choices=STATUSES, default=PENDING)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the address was last sent a confirmation or manage link (the resend throttle).
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    # Signed confirm and manage links carry this nonce: changing it revokes them all
    # (subscriptions.revoke_links, dailypapers/digests/tokens.py).
    nonce = models.CharField(max_length=32, default=new_nonce)
    # Consecutive permanent delivery failures; at DIGEST_MAX_HARD_BOUNCES the address is
    # disabled (disabled_at) and receives nothing more. A delivery resets the count.
    hard_bounces = models.PositiveSmallIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        indexes = [
            # build_outbox: the active, not disabled subscriptions of one frequency.
            models.Index(fields=["frequency", "status"], name="digest_sub_freq_status_idx"),
        ]

    def __str__(self):
        return f"{self.email} ({self.frequency}, {self.status})"

    @property
    def receives_mail(self):
        return self.status == self.ACTIVE and self.disabled_at is None

    @property
    def awaiting_first_confirmation(self):
        """Asked for and never confirmed: its choices are nobody's yet, so a newer request
        may replace them (subscriptions.subscribe). Every other subscription is changed only by
        its owner."""
        return self.status == self.PENDING and self.confirmed_at is None


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, now):
        """The rows a sender may claim at `now`: queued and due, or "sending" with a lease
        (DIGEST_SEND_LEASE_SECONDS) that has run out."""
        lease = dt.timedelta(seconds=settings.DIGEST_SEND_LEASE_SECONDS)
        return self.filter(
            Q(status=OutboxMessage.QUEUED, next_attempt_at__lte=now)
            | Q(status=OutboxMessage.SENDING, claimed_at__lt=now - lease)
        )


class OutboxMessage(models.Model):
    QUEUED, SENDING, SENT, FAILED, SKIPPED = "queued", "sending", "sent", "failed", "skipped"
    STATUSES = [(s, s) for s in (QUEUED, SENDING, SENT, FAILED, SKIPPED)]

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="outbox")
    # "daily:2026-11-27" or "weekly:2026-W48" (dailypapers/digests/schedule.py).
    period = models.CharField(max_length=24)
    # The papers chosen for this subscriber when the digest was built (FeedEntry ids, in
    # order); the sender renders them with the counts of the moment it sends.
    entry_ids = models.JSONField(default=list)
    # A member's personal picks (For you), blended in as their Reader.digest_mix says:
    # [{"paper": Paper id, "reasons": ["…"]}], best first. Empty for everyone else.
    picks = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=8, choices=STATUSES, default=QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # The lease: who claimed the row and when. A row "sending" with claimed_at older than
    # DIGEST_SEND_LEASE_SECONDS is claimable again (sending.claim_batch).
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Stable per row (emails.digest_message_id): a duplicate after a crash is recognisable.
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period"], name="digest_outbox_one_per_period"
            ),
        ]
        indexes = [
            # claim_batch: rows due for sending, oldest first. Partial, so it stays the size
            # of the queue, not of the whole history.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="digest_outbox_due_idx",
                condition=Q(status__in=["queued", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.period} → {self.subscription_id} ({self.status})"
