"""Sending the outbox, for `dailypapers digest send` and the worker.

    send_due()             1. claim a batch of due rows (claim_batch); 2. for each, skip it
                           if the address stopped receiving mail, else send it over the
                           batch's SMTP connection; 3. record the outcome at once, one
                           commit per message: sent; a temporary failure (4xx, connection
                           refused or dropped) queued again with backoff; a permanent one
                           (5xx) failed, counting a hard bounce.

Exactly once: a row is marked sent right after the SMTP server accepted the message. A
sender killed between the server's acceptance and that commit leaves its row "sending";
when the lease runs out another sender sends it again — a duplicate with the same
Message-ID. That window is one database write long; nothing else sends twice.
"""

import datetime as dt
import logging
import os
import smtplib
import socket
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dailypapers.digests import content, emails
from dailypapers.digests.content import PeriodCache
from dailypapers.digests.models import OutboxMessage, Subscription
from dailypapers.digests.schedule import period_from_key
from dailypapers.lib.digest_ranking import Filters, rank

log = logging.getLogger(__name__)


def new_sender_id():
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_batch(claim_id, now, limit):
    """Claim up to `limit` due rows for `claim_id` and return them.

    1. In one transaction, pick due rows — on PostgreSQL FOR UPDATE SKIP LOCKED, so two
       senders pick different rows without waiting; SQLite ignores it, and its IMMEDIATE
       transactions (settings.py) let one writer in at a time instead.
    2. Mark them sending with the same due condition, so a row another sender claimed
       between 1 and 2 (possible only without row locks) is left alone.
    3. Read back exactly the rows this claim owns.
    """
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.due(now)
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboxMessage.objects.due(now).filter(pk__in=ids).update(
                status=OutboxMessage.SENDING, claimed_by=claim_id, claimed_at=now
            )
    if not ids:
        return []
    return list(
        OutboxMessage.objects.filter(claimed_by=claim_id, status=OutboxMessage.SENDING)
        .select_related("subscription")
        .order_by("id")
    )


def backoff(attempts):
    """Seconds before attempt attempts+1: base × 2^(attempts−1), at most six hours."""
    return min(settings.DIGEST_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), 6 * 3600)


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    lost_lease: int = 0
    errors: list = field(default_factory=list)

    @property
    def handled(self):
        return self.sent + self.retried + self.failed + self.skipped


class ServerUnavailable(Exception):
    pass


def classify(exc):
    """("temporary" | "permanent", SMTP code or None, text) for a failed send."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
    else:  # refused or dropped connections, timeouts
        return "temporary", None, f"{type(exc).__name__}: {exc}"
    kind = "permanent" if 500 <= code < 600 else "temporary"
    return kind, code, f"{code} {text}"


class Sender:
    """One sender run: claims batches and sends them over one SMTP connection."""

    def __init__(
        self,
        sender_id=None,
        batch_size=None,
        connection=None,
        now=None,
        should_stop=None,
        progress=None,
    ):
        self.sender_id = sender_id or new_sender_id()
        self.batch_size = batch_size or settings.DIGEST_SEND_BATCH
        self.connection = connection or get_connection(fail_silently=False)
        self.fixed_now = now
        self.should_stop = should_stop or (lambda: False)
        self.progress = progress
        self.cache = PeriodCache()
        self.picked = {}  # members' picks as Candidates, by paper id (content.picked)
        self.result = SendResult()
        self._batches = 0

    def now(self):
        return self.fixed_now or timezone.now()

    def run(self, limit=None):
        try:
            while not self.should_stop():
                size = (
                    self.batch_size
                    if limit is None
                    else min(self.batch_size, limit - self.result.handled)
                )
                if size <= 0:
                    break
                self._batches += 1
                rows = claim_batch(f"{self.sender_id}/{self._batches}", self.now(), size)
                if not rows:
                    break
                try:
                    for index, row in enumerate(rows):
                        if self.should_stop():
                            self._release(rows[index:], "stopped")
                            return self.result
                        self.deliver(row)
                except ServerUnavailable as exc:
                    # Nothing more will get through now: leave the rest for the next run.
                    self._release(
                        [r for r in rows if r.status == OutboxMessage.SENDING], str(exc), delay=True
                    )
                    self.result.errors.append(str(exc))
                    break
        finally:
            self.connection.close()
        return self.result

    def _open(self):
        # SMTP backends hold their socket in `.connection`; others (console, file,
        # locmem in development and tests) have nothing to open.
        if getattr(self.connection, "connection", None) is None:
            try:
                self.connection.open()
            except (smtplib.SMTPException, OSError) as exc:
                self.connection.close()
                raise ServerUnavailable(
                    f"SMTP server unavailable: {type(exc).__name__}: {exc}"
                ) from exc

    def deliver(self, row):
        subscription = row.subscription
        now = self.now()
        if not subscription.receives_mail:
            reason = (
                "unsubscribed"
                if subscription.status != Subscription.ACTIVE
                else "disabled after bounces"
            )
            self._finish(row, OutboxMessage.SKIPPED, last_error=reason)
            self.result.skipped += 1
            return
        period = period_from_key(row.period)
        _, by_id = self.cache.get(period)
        filters = Filters.of(subscription.categories, subscription.keywords, subscription.authors)
        # The papers chosen at build time, still visible, with today's counts; the match
        # marks are recomputed (cheap) since they are not stored.
        chosen = [by_id[i] for i in row.entry_ids if i in by_id]
        picks = content.picked(row.picks, self.picked) if row.picks else []
        if not chosen and not picks:
            self._finish(row, OutboxMessage.SKIPPED, last_error="no papers left to show")
            self.result.skipped += 1
            return
        papers = rank(chosen, filters, len(chosen))
        message = emails.digest_message(row, subscription, period, papers, picks)
        self._open()
        try:
            self.connection.send_messages([message])
        except (smtplib.SMTPException, OSError) as exc:
            kind, code, text = classify(exc)
            if isinstance(exc, smtplib.SMTPSenderRefused):
                # Our sender address was refused: no subscriber's fault, and every message
                # would fail alike. Retry later, no bounce counted.
                self._failed(row, "temporary", text, now)
                raise ServerUnavailable(f"sender address refused: {text}") from exc
            if code is None or code == 421:
                # The connection is gone or closing (dropped, 421, timeout): start a new
                # one. After other replies smtplib has reset the session and it goes on.
                self.connection.close()
            self._failed(row, kind, text, now)
            if code is None and not isinstance(exc, smtplib.SMTPServerDisconnected):
                # Refused or timed out while connected: treat like a server that is down.
                raise ServerUnavailable(text) from exc
            return
        # Accepted by the server: record it at once (autocommit, one statement).
        done = self._finish(
            row,
            OutboxMessage.SENT,
            sent_at=timezone.now(),
            message_id=message.extra_headers["Message-ID"],
            attempts=F("attempts") + 1,
            last_error="",
        )
        if subscription.hard_bounces:
            Subscription.objects.filter(pk=subscription.pk).update(hard_bounces=0)
        if done:
            self.result.sent += 1
        else:
            self.result.lost_lease += 1
            log.warning(
                "outbox %s: lease lost while sending; it may be sent twice (Message-ID %s)",
                row.pk,
                message.extra_headers["Message-ID"],
            )
        if self.progress:
            self.progress(1)

    def _finish(self, row, status, **fields):
        """Record an outcome, if this sender still holds the row's lease."""
        changed = OutboxMessage.objects.filter(
            pk=row.pk, claimed_by=row.claimed_by, status=OutboxMessage.SENDING
        ).update(status=status, **fields)
        row.status = status
        return changed == 1

    def _failed(self, row, kind, text, now):
        attempts = row.attempts + 1
        if kind == "permanent":
            self._finish(row, OutboxMessage.FAILED, attempts=attempts, last_error=text[:1000])
            bounce(row.subscription, now)
            self.result.failed += 1
        elif attempts >= settings.DIGEST_MAX_ATTEMPTS:
            self._finish(
                row,
                OutboxMessage.FAILED,
                attempts=attempts,
                last_error=f"gave up after {attempts} attempts: {text}"[:1000],
            )
            self.result.failed += 1
        else:
            self._finish(
                row, OutboxMessage.QUEUED, attempts=attempts, last_error=text[:1000], claimed_by="",
                next_attempt_at=now + dt.timedelta(seconds=backoff(attempts)),
            )  # fmt: skip
            self.result.retried += 1
        self.result.errors.append(f"{row.subscription.email}: {text}")

    def _release(self, rows, reason, delay=False):
        """Hand claimed, unsent rows back to the queue (no attempt was made)."""
        now = self.now()
        for row in rows:
            attempts = row.attempts + 1 if delay else row.attempts
            self._finish(
                row, OutboxMessage.QUEUED, claimed_by="", attempts=attempts, last_error=reason[:1000],
                next_attempt_at=now + dt.timedelta(seconds=backoff(attempts)) if delay else now,
            )  # fmt: skip
            if delay:
                self.result.retried += 1


def bounce(subscription, now):
    """Count a hard bounce; at DIGEST_MAX_HARD_BOUNCES the address receives nothing more."""
    Subscription.objects.filter(pk=subscription.pk).update(hard_bounces=F("hard_bounces") + 1)
    Subscription.objects.filter(
        pk=subscription.pk,
        hard_bounces__gte=settings.DIGEST_MAX_HARD_BOUNCES,
        disabled_at__isnull=True,
    ).update(disabled_at=now)


def send_due(**kwargs):
    limit = kwargs.pop("limit", None)
    return Sender(**kwargs).run(limit=limit)
