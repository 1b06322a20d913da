"""Signed tokens in the digest's links (django.core.signing, keyed by SECRET_KEY).

    confirm      the double opt-in link; expires after DIGEST_CONFIRM_MAX_AGE_DAYS
    manage       change preferences without logging in; does not expire
    unsubscribe  one-click unsubscribe (List-Unsubscribe); does not expire

Each purpose has its own salt, so one kind of token is never accepted for another. The
payload is the subscription's id and nonce: a token stops working when the nonce is
changed (services.revoke_links), and a token for a deleted subscription finds nothing.
"""

from django.conf import settings
from django.core import signing

SALTS = {
    "confirm": "dailypapers.digests.confirm",
    "manage": "dailypapers.digests.manage",
    "unsubscribe": "dailypapers.digests.unsubscribe",
}


class BadToken(Exception):
    """The token is malformed, forged, expired or revoked; `reason` says which for the page."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def make(purpose, subscription):
    signer = signing.TimestampSigner(salt=SALTS[purpose])
    return signer.sign_object([subscription.pk, subscription.nonce], compress=False)


def read(purpose, token):
    """(subscription id, nonce) from a token, or BadToken."""
    signer = signing.TimestampSigner(salt=SALTS[purpose])
    max_age = settings.DIGEST_CONFIRM_MAX_AGE_DAYS * 86400 if purpose == "confirm" else None
    try:
        pk, nonce = signer.unsign_object(token, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken("invalid") from None
    if not isinstance(pk, int) or not isinstance(nonce, str):
        raise BadToken("invalid")
    return pk, nonce
