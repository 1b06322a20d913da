"""Signed tokens in the digest's links (django.core.signing, keyed by SECRET_KEY).

    confirm      the double opt-in link; expires after DIGEST_CONFIRM_MAX_AGE_DAYS
    manage       change preferences, subscribe again or sign out all links, without
                 logging in; expires after DIGEST_MANAGE_MAX_AGE_DAYS (each digest and
                 each "your subscription" email carries a fresh one)
    unsubscribe  one-click unsubscribe (List-Unsubscribe, RFC 8058); never expires and is
                 never revoked, so that every email ever sent can stop the next one

Each purpose has its own salt, so one kind of token is never accepted for another. The
payload is the subscription's id, and for confirm and manage its nonce: those stop
working when the nonce is changed (subscriptions.revoke_links). Unsubscribe tokens name the
row only (older ones carry a nonce too, ignored); a row's address never changes (the
admin shows it read-only), and a token for a deleted subscription finds nothing.
"""

from django.conf import settings
from django.core import signing

SALTS = {
    "confirm": "dailypapers.digests.confirm",
    "manage": "dailypapers.digests.manage",
    "unsubscribe": "dailypapers.digests.unsubscribe",
}
# Purposes whose tokens the nonce revokes.
REVOCABLE = {"confirm", "manage"}


class BadToken(Exception):
    """The token is malformed, forged, expired or revoked; `reason` says which for the page."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def max_age_days(purpose):
    return {
        "confirm": settings.DIGEST_CONFIRM_MAX_AGE_DAYS,
        "manage": settings.DIGEST_MANAGE_MAX_AGE_DAYS,
    }.get(purpose)


def make(purpose, subscription):
    signer = signing.TimestampSigner(salt=SALTS[purpose])
    payload = [subscription.pk, subscription.nonce] if purpose in REVOCABLE else [subscription.pk]
    return signer.sign_object(payload, compress=False)


def read(purpose, token, check_age=True):
    """(subscription id, nonce or None) from a token, or BadToken. With check_age=False an
    expired token is read too (to offer its owner a fresh link); a forged one never is."""
    signer = signing.TimestampSigner(salt=SALTS[purpose])
    days = max_age_days(purpose) if check_age else None
    try:
        payload = signer.unsign_object(token, max_age=days * 86400 if days is not None else None)
    except signing.SignatureExpired:
        raise BadToken("expired") from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise BadToken("invalid") from None
    if not isinstance(payload, list) or not payload or type(payload[0]) is not int:
        raise BadToken("invalid")
    nonce = payload[1] if len(payload) > 1 else None
    if purpose in REVOCABLE and not isinstance(nonce, str):
        raise BadToken("invalid")
    return payload[0], nonce
