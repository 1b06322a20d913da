"""What people do with their own account beyond allauth's flows: API tokens; and what
staff do to accounts: suspension. (Exporting and deleting an account gather from every
app: people/services.py.)"""

from dailypapers.accounts import rules
from dailypapers.accounts.models import ApiToken, Profile


def create_token(user, name=""):
    """A new API token for `user`: (ApiToken row, the token text). The text is shown
    once and never stored: only its hash is (ApiToken.key_hash)."""
    return ApiToken.objects.create_token(user, name=name.strip())


def revoke_token(user, token_id):
    """Revoke one of `user`'s tokens; False when it was not theirs (or already gone)."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def suspend(actor, user, reason=""):
    """`actor` (staff) suspends `user`; Refused (403) when rules.may_act_on says no."""
    _check_may_act_on(actor, user)
    Profile.of(user).suspend(reason)


def unsuspend(actor, user):
    """`actor` (staff) lifts `user`'s suspension; never their own (rules.may_act_on)."""
    _check_may_act_on(actor, user)
    Profile.of(user).unsuspend()


def _check_may_act_on(actor, user):
    error = rules.may_act_on(actor, user)
    if error is not None:
        raise rules.Refused(error, 403)


is_suspended = rules.is_suspended
