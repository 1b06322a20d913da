"""What people do with their own account beyond allauth's flows: API tokens, the data
export, deletion; and what staff do to accounts: suspension."""

import importlib

from django.db import transaction
from django.utils import timezone

from dailypapers.accounts import rules
from dailypapers.accounts.models import ApiToken, Profile
from dailypapers.papers.models import FeedEntry

# Apps whose `export.export_user_data(user)` adds their part to a person's export, under
# the app's name.
EXPORTING_APPS = ("community", "discussion", "collections", "digests")


def create_token(user, name=""):
    """A new API token for `user`: (ApiToken row, the token text). The text is shown
    once and never stored: only its hash is (ApiToken.key_hash)."""
    return ApiToken.objects.create_token(user, name=name.strip())


def revoke_token(user, token_id):
    """Revoke one of `user`'s tokens; False when it was not theirs (or already gone)."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return deleted > 0


def submitted_entries(user):
    """The visible feed entries `user` submitted, newest first."""
    return (
        FeedEntry.objects.visible()
        .filter(submitted_by=user)
        .select_related("paper")
        .order_by("-day", "-id")
    )


def export_user_data(user):
    """Everything dailypapers holds about `user`, as JSON-serialisable data."""
    data = {
        "username": user.username,
        "email": user.email,
        "date_joined": user.date_joined.isoformat(),
        "submitted": [
            {
                "arxiv_id": entry.paper.arxiv_id,
                "title": entry.paper.title,
                "day": entry.day.isoformat(),
                "submitted_at": entry.submitted_at.isoformat(),
                "upvotes": entry.upvotes,
            }
            # Hidden entries are the person's data too.
            for entry in FeedEntry.objects.filter(submitted_by=user)
            .select_related("paper")
            .order_by("day", "id")
        ],
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": token.created_at.isoformat(),
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            }
            for token in user.api_tokens.order_by("created_at")
        ],
    }
    for app in EXPORTING_APPS:
        module = importlib.import_module(f"dailypapers.{app}.export")
        data[app] = module.export_user_data(user)
    return data


def delete_account(user):
    """Delete `user` and what is theirs, as the settings page says (accounts/settings.html;
    the admin's user deletion comes here too):

    1. their comments lose their text (replies keep their place under "[deleted]");
    2. their digest subscriptions end, links revoked (those of the account and of its
       verified addresses);
    3. their feed submissions stay, without a name: submitter_name is cleared here and
       submitted_by by the database (SET_NULL). Nothing is attributed by name, so an
       account that takes the name later inherits none of it (api/queries.py);
    4. the user row goes, and with it (cascades)
       their upvotes (the counts follow by the database's triggers), collections, API
       tokens, email addresses and profile. Reports they
       made stay for the moderators, without their name.
    """
    from dailypapers.digests import subscriptions as digests
    from dailypapers.discussion import services as discussion

    with transaction.atomic():
        discussion.erase_comments_of(user)
        digests.end_for_account(user)
        # updated_at moves: the API's ETags and caches are keyed on it.
        FeedEntry.objects.filter(submitted_by=user).update(
            submitter_name="", submitted_by=None, updated_at=timezone.now()
        )
        user.delete()


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
