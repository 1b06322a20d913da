"""Subscriptions and delivery: the one home of the digests' logic.

Subscribing (double opt-in):
    subscribe(email, prefs, user=None)  → a pending subscription and a confirmation email,
                           or for an address already subscribed an email with a manage
                           link; an existing subscription's choices never change here
    confirm(token) / unsubscribe(subscription) / resubscribe(subscription)
    save_preferences(subscription, prefs) / revoke_links(subscription)
    subscriptions_of(user) → the member's, for their account settings

Delivery, for `dailypapers digest build|send` and the worker:
    build_outbox(period)   1. read the period's candidates once; 2. for each active
                           subscription without a row for the period, rank them and queue
                           one OutboxMessage; (subscription, period) is unique, so running
                           it twice, or two at once, queues nothing twice.
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
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from dailypapers.digests import emails, tokens
from dailypapers.digests.content import PeriodCache
from dailypapers.digests.models import OutboxMessage, Subscription, new_nonce
from dailypapers.digests.schedule import period_from_key
from dailypapers.lib.digest_ranking import Filters, rank

log = logging.getLogger(__name__)


# --- Subscribing -----------------------------------------------------------------------------


def normalise_email(email):
    return (email or "").strip().lower()


@dataclass
class Preferences:
    frequency: str = Subscription.DAILY
    categories: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    authors: list = field(default_factory=list)
    max_papers: int = 10

    def apply(self, subscription):
        subscription.frequency = self.frequency
        subscription.categories = list(self.categories)
        subscription.keywords = list(self.keywords)
        subscription.authors = list(self.authors)
        subscription.max_papers = self.max_papers

    @classmethod
    def of(cls, subscription):
        return cls(
            subscription.frequency, subscription.categories, subscription.keywords,
            subscription.authors, subscription.max_papers,
        )  # fmt: skip


class SendFailed(Exception):
    """The confirmation email could not be handed to the SMTP server."""


def _verified_email(user):
    """The user's verified primary address (allauth), or None."""
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary").first()
    return normalise_email(address.email) if address else None


def subscribe(email, prefs, user=None, now=None):
    """Ask for a subscription. Returns (subscription, outcome).

    Choices are taken from a request only for an address that has no subscription yet
    (or one still waiting for its first confirmation, which nothing relies on). An
    existing subscription is never changed by someone merely knowing the address — the
    footer's one-button form would otherwise reset it to the defaults: its owner changes
    it from a manage link or from their account settings (save_preferences).

    Outcomes, for an address the request proves nothing about (anonymous, or not the
    member's verified address) — the page must not tell them apart (views.subscribe):
        "confirm"    new or never confirmed: a confirmation email was sent
        "manage"     an existing subscription, receiving mail or not: it was sent a fresh
                     manage link ("you are already subscribed" / "subscribe again")
        "throttled"  an email went to the address a few minutes ago; none was sent
    For a logged-in member's own verified address:
        "active"     subscribed at once (new ones with the request's choices)
        "resumed"    an unsubscribed or paused subscription, active again with its own choices
        "already"    active already: nothing changed
    """
    now = now or timezone.now()
    email = normalise_email(email)
    one_click = user is not None and user.is_authenticated and _verified_email(user) == email
    try:
        with transaction.atomic():
            subscription, _ = Subscription.objects.select_for_update().get_or_create(email=email)
    except IntegrityError:  # created by a concurrent request
        subscription = Subscription.objects.get(email=email)

    if subscription.awaiting_first_confirmation:
        # The newest request's choices wait for the confirmation.
        prefs.apply(subscription)
        if one_click:
            _activate(subscription, now, user=user)
            return subscription, "active"
        subscription.save()
        outcome, message = "confirm", emails.confirmation_message
    elif one_click:
        if subscription.receives_mail:
            adopt(subscription, user)
            return subscription, "already"
        _activate(subscription, now, user=user)
        return subscription, "resumed"
    else:
        outcome, message = "manage", emails.manage_link_message
    if not _claim_email_slot(subscription, now):
        return subscription, "throttled"
    _send(subscription, message)
    return subscription, outcome


def _claim_email_slot(subscription, now):
    """At most one email a few minutes to an address (confirmation or manage link), so a
    stranger cannot flood it. One conditional UPDATE: two requests at once send one."""
    resend_after = dt.timedelta(minutes=settings.DIGEST_CONFIRM_RESEND_MINUTES)
    return bool(
        Subscription.objects.filter(pk=subscription.pk)
        .filter(Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=now - resend_after))
        .update(confirmation_sent_at=now)
    )


def _send(subscription, message):
    try:
        message(subscription).send()
    except (smtplib.SMTPException, OSError) as exc:
        Subscription.objects.filter(pk=subscription.pk).update(confirmation_sent_at=None)
        log.warning("email to %s failed: %s", subscription.email, exc)
        raise SendFailed(str(exc)) from exc


def _activate(subscription, now, user=None):
    subscription.status = Subscription.ACTIVE
    subscription.confirmed_at = now
    # Confirming proves the address takes mail again.
    subscription.disabled_at = None
    subscription.hard_bounces = 0
    subscription.save()
    if user is not None:
        adopt(subscription, user)


def adopt(subscription, user):
    """Link the subscription to the member whose verified address it is. When it moves
    from another account, the address has changed hands: the links sent so far are
    revoked."""
    if subscription.user_id == user.pk:
        return
    previous = subscription.user_id
    Subscription.objects.filter(pk=subscription.pk).update(user=user)
    subscription.user = user
    if previous is not None:
        revoke_links(subscription)


def subscription_for(purpose, token):
    """The subscription a signed link names, or tokens.BadToken."""
    pk, nonce = tokens.read(purpose, token)
    subscription = Subscription.objects.filter(pk=pk).first()
    if subscription is None or (purpose in tokens.REVOCABLE and subscription.nonce != nonce):
        raise tokens.BadToken("revoked")
    return subscription


def named_by(manage_token):
    """The subscription an expired or revoked (but genuine) manage link names, or None."""
    try:
        pk, _ = tokens.read("manage", manage_token, check_age=False)
    except tokens.BadToken:
        return None
    return Subscription.objects.filter(pk=pk).first()


def send_fresh_link(token, now=None):
    """From an expired or revoked manage link: email a fresh one to the subscription's own
    address (never to whoever holds the old link). Returns the outcome as subscribe()
    does ("manage" or "throttled"), or tokens.BadToken for a forged link."""
    subscription = named_by(token)
    if subscription is None:
        raise tokens.BadToken("invalid")
    if not _claim_email_slot(subscription, now or timezone.now()):
        return subscription, "throttled"
    _send(subscription, lambda s: emails.manage_link_message(s, asked="link"))
    return subscription, "manage"


def confirm(token, now=None):
    subscription = subscription_for("confirm", token)
    if subscription.status != Subscription.ACTIVE or subscription.disabled_at:
        _activate(subscription, now or timezone.now())
    return subscription


def unsubscribe(subscription):
    """Takes effect at once: digests already queued for the address are skipped too. Its
    confirm and manage links are revoked, so subscribing again takes a link emailed after
    this (or the owner's account); unsubscribe links keep working."""
    now = timezone.now()
    Subscription.objects.filter(pk=subscription.pk).update(
        status=Subscription.UNSUBSCRIBED, nonce=new_nonce(), updated_at=now
    )
    OutboxMessage.objects.filter(subscription=subscription, status=OutboxMessage.QUEUED).update(
        status=OutboxMessage.SKIPPED, last_error="unsubscribed"
    )
    subscription.refresh_from_db()
    return subscription


def resubscribe(subscription, prefs=None, user=None):
    """From a manage link (which reached the address) or the owner's account: active again
    at once, with `prefs` if given, else with its own choices."""
    if prefs is not None:
        prefs.apply(subscription)
    _activate(subscription, timezone.now(), user=user)
    return subscription


def save_preferences(subscription, prefs, user=None):
    prefs.apply(subscription)
    subscription.save()
    if user is not None:
        adopt(subscription, user)
    return subscription


def revoke_links(subscription):
    """Every confirm and manage link sent so far stops working (unsubscribe links do not:
    they can only stop mail)."""
    subscription.nonce = new_nonce()
    subscription.save(update_fields=["nonce", "updated_at"])


def subscriptions_of(user):
    """The subscriptions of the member's verified addresses, for their account settings.
    Only verified ones: an address someone merely typed proves nothing."""
    from allauth.account.models import EmailAddress

    addresses = [
        normalise_email(a) for a in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    ]
    return list(Subscription.objects.filter(email__in=addresses).order_by("email"))


def account_subscriptions(user):
    """What an account's data export holds and its deletion ends: the subscriptions of its
    verified addresses (subscriptions_of) and any still linked to the account itself (an
    address it has since given up), oldest first."""
    linked = Subscription.objects.filter(Q(user=user) | Q(pk__in=[s.pk for s in subscriptions_of(user)]))
    return list(linked.order_by("created_at", "id"))


def end_for_account(user):
    """Account deletion (accounts.services.delete_account): each of the account's
    subscriptions ends at once, as an unsubscribe does (queued digests are skipped, confirm
    and manage links revoked), and is detached from the account. The number ended."""
    ended = 0
    for subscription in account_subscriptions(user):
        if subscription.status != Subscription.UNSUBSCRIBED:
            ended += 1
        unsubscribe(subscription)
    Subscription.objects.filter(user=user).update(user=None)
    return ended


def add_subscriber(email, weekly=False, confirmed=False, now=None):
    """For operators importing a list (`dailypapers subscribers add`). Returns
    (subscription, created). A confirmed address is active at once; otherwise it is sent
    the confirmation email (or, if it already has a subscription, a link to it). An
    existing subscription keeps its choices."""
    email = normalise_email(email)
    prefs = Preferences(frequency=Subscription.WEEKLY if weekly else Subscription.DAILY)
    subscription, created = Subscription.objects.get_or_create(email=email)
    if created:
        prefs.apply(subscription)
        subscription.save()
    if confirmed:
        if not subscription.receives_mail:
            _activate(subscription, now or timezone.now())
    elif not subscription.receives_mail:
        subscribe(email, prefs, now=now)
    return subscription, created


# --- Building the outbox ------------------------------------------------------------------------

BUILD_CHUNK = 2000


@dataclass
class BuildResult:
    period: str
    queued: int = 0
    empty: int = 0  # subscribers with nothing to read this period (nothing queued)


def build_outbox(period, now=None, cache=None, progress=None):
    """Queue the period's digest for every active subscription of its frequency that does
    not have it yet. Safe to re-run and to run twice at once (unique constraint)."""
    now = now or timezone.now()
    cache = cache or PeriodCache()
    papers, _ = cache.get(period)
    result = BuildResult(period.key)
    subscriptions = (
        Subscription.objects.filter(frequency=period.frequency, status=Subscription.ACTIVE, disabled_at__isnull=True)
        .exclude(outbox__period=period.key)
        .only("id", "categories", "keywords", "authors", "max_papers")
        .order_by("id")
    )
    pending = []
    for subscription in subscriptions.iterator(chunk_size=BUILD_CHUNK):
        filters = Filters.of(subscription.categories, subscription.keywords, subscription.authors)
        chosen = rank(papers, filters, min(subscription.max_papers, settings.DIGEST_MAX_PAPERS_LIMIT))
        if not chosen:
            result.empty += 1
            continue
        pending.append(
            OutboxMessage(
                subscription_id=subscription.pk, period=period.key, next_attempt_at=now,
                entry_ids=[candidate.entry_id for candidate, _ in chosen],
            )
        )  # fmt: skip
        if len(pending) >= BUILD_CHUNK:
            result.queued += _insert(pending)
            if progress:
                progress(len(pending))
            pending = []
    if pending:
        result.queued += _insert(pending)
        if progress:
            progress(len(pending))
    return result


def _insert(rows):
    # ignore_conflicts: a row another builder queued meanwhile stays as it is.
    before = OutboxMessage.objects.filter(period=rows[0].period).count()
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return OutboxMessage.objects.filter(period=rows[0].period).count() - before


# --- Sending ------------------------------------------------------------------------------------


def new_sender_id():
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _due(now):
    lease = dt.timedelta(seconds=settings.DIGEST_SEND_LEASE_SECONDS)
    return Q(status=OutboxMessage.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutboxMessage.SENDING, claimed_at__lt=now - lease
    )


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
            OutboxMessage.objects.filter(_due(now))
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            OutboxMessage.objects.filter(_due(now), pk__in=ids).update(
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
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    else:  # refused or dropped connections, timeouts
        return "temporary", None, f"{type(exc).__name__}: {exc}"
    kind = "permanent" if 500 <= code < 600 else "temporary"
    return kind, code, f"{code} {text}"


class Sender:
    """One sender run: claims batches and sends them over one SMTP connection."""

    def __init__(self, sender_id=None, batch_size=None, connection=None, now=None, should_stop=None, progress=None):
        self.sender_id = sender_id or new_sender_id()
        self.batch_size = batch_size or settings.DIGEST_SEND_BATCH
        self.connection = connection or get_connection(fail_silently=False)
        self.fixed_now = now
        self.should_stop = should_stop or (lambda: False)
        self.progress = progress
        self.cache = PeriodCache()
        self.result = SendResult()
        self._batches = 0

    def now(self):
        return self.fixed_now or timezone.now()

    def run(self, limit=None):
        try:
            while not self.should_stop():
                size = self.batch_size if limit is None else min(self.batch_size, limit - self.result.handled)
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
                    self._release([r for r in rows if r.status == OutboxMessage.SENDING], str(exc), delay=True)
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
                raise ServerUnavailable(f"SMTP server unavailable: {type(exc).__name__}: {exc}") from exc

    def deliver(self, row):
        subscription = row.subscription
        now = self.now()
        if not subscription.receives_mail:
            reason = "unsubscribed" if subscription.status != Subscription.ACTIVE else "disabled after bounces"
            self._finish(row, OutboxMessage.SKIPPED, last_error=reason)
            self.result.skipped += 1
            return
        period = period_from_key(row.period)
        _, by_id = self.cache.get(period)
        filters = Filters.of(subscription.categories, subscription.keywords, subscription.authors)
        # The papers chosen at build time, still visible, with today's counts; the match
        # marks are recomputed (cheap) since they are not stored.
        chosen = [by_id[i] for i in row.entry_ids if i in by_id]
        if not chosen:
            self._finish(row, OutboxMessage.SKIPPED, last_error="no papers left to show")
            self.result.skipped += 1
            return
        papers = rank(chosen, filters, len(chosen))
        message = emails.digest_message(row, subscription, period, papers)
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
        done = self._finish(row, OutboxMessage.SENT, sent_at=timezone.now(), message_id=message.extra_headers["Message-ID"], attempts=F("attempts") + 1, last_error="")
        if subscription.hard_bounces:
            Subscription.objects.filter(pk=subscription.pk).update(hard_bounces=0)
        if done:
            self.result.sent += 1
        else:
            self.result.lost_lease += 1
            log.warning("outbox %s: lease lost while sending; it may be sent twice (Message-ID %s)", row.pk, message.extra_headers["Message-ID"])
        if self.progress:
            self.progress(1)

    def _finish(self, row, status, **fields):
        """Record an outcome, if this sender still holds the row's lease."""
        changed = OutboxMessage.objects.filter(pk=row.pk, claimed_by=row.claimed_by, status=OutboxMessage.SENDING).update(
            status=status, **fields
        )
        row.status = status
        return changed == 1

    def _failed(self, row, kind, text, now):
        attempts = row.attempts + 1
        if kind == "permanent":
            self._finish(row, OutboxMessage.FAILED, attempts=attempts, last_error=text[:1000])
            bounce(row.subscription, now)
            self.result.failed += 1
        elif attempts >= settings.DIGEST_MAX_ATTEMPTS:
            self._finish(row, OutboxMessage.FAILED, attempts=attempts, last_error=f"gave up after {attempts} attempts: {text}"[:1000])
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
        pk=subscription.pk, hard_bounces__gte=settings.DIGEST_MAX_HARD_BOUNCES, disabled_at__isnull=True
    ).update(disabled_at=now)


def send_due(**kwargs):
    limit = kwargs.pop("limit", None)
    return Sender(**kwargs).run(limit=limit)


def run_scheduled(now=None, should_stop=None, log=None):
    """The worker's digest step: queue the digests due today (from DIGEST_SEND_HOUR on,
    local feed time), then send whatever is due."""
    from dailypapers.digests.schedule import due_periods

    now = now or timezone.now()
    local = timezone.localtime(now)
    results = []
    if local.hour >= settings.DIGEST_SEND_HOUR:
        cache = PeriodCache()
        for period in due_periods(local.date()):
            built = build_outbox(period, now=now, cache=cache)
            if built.queued and log:
                log(f"digests {period.key}: {built.queued} queued")
            results.append(built)
    sent = send_due(should_stop=should_stop)
    if sent.handled and log:
        log(f"digests: {sent.sent} sent, {sent.retried} to retry, {sent.failed} failed, {sent.skipped} skipped")
    return results, sent
