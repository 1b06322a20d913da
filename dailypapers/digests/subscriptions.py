"""Subscribing (double opt-in), the subscriber's links, and subscriptions of accounts.

subscribe(email, prefs, user=None)  → a pending subscription and a confirmation email,
                       or for an address already subscribed an email with a manage
                       link; an existing subscription's choices never change here
confirm(token) / unsubscribe(subscription) / resubscribe(subscription)
save_preferences(subscription, prefs) / revoke_links(subscription)
subscription_for(purpose, token) / named_by(token) / send_fresh_link(token)
                       the subscription a signed link names (dailypapers/digests/tokens.py)
subscriptions_of(user) → the member's, for their account settings
account_subscriptions(user) / end_for_account(user)  its data export and its deletion
add_subscriber(email)  an operator's import (`dailypapers subscribers add`)
"""

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dailypapers.digests import emails, tokens
from dailypapers.digests.models import OutboxMessage, Subscription, new_nonce

log = logging.getLogger(__name__)


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
        .filter(
            Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=now - resend_after)
        )
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
        normalise_email(a)
        for a in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]
    return list(Subscription.objects.filter(email__in=addresses).order_by("email"))


def account_subscriptions(user):
    """What an account's data export holds and its deletion ends: the subscriptions of its
    verified addresses (subscriptions_of) and any still linked to the account itself (an
    address it has since given up), oldest first."""
    linked = Subscription.objects.filter(
        Q(user=user) | Q(pk__in=[s.pk for s in subscriptions_of(user)])
    )
    return list(linked.order_by("created_at", "id"))


def end_for_account(user):
    """Account deletion (people.services.delete_account): each of the account's
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
