"""What a person's account gathers from every app: their submissions (the profile
page), their data export and the deletion of the account."""

from django.db import transaction
from django.utils import timezone

from dailypapers.collections import export as collections_export
from dailypapers.community import export as community_export
from dailypapers.digests import export as digests_export
from dailypapers.digests import subscriptions as digests
from dailypapers.discussion import export as discussion_export
from dailypapers.discussion import services as discussion
from dailypapers.foryou import export as foryou_export
from dailypapers.papers.models import FeedEntry

# Each app's part of a person's export, under the app's name.
EXPORTS = {
    "community": community_export.export_user_data,
    "discussion": discussion_export.export_user_data,
    "collections": collections_export.export_user_data,
    "digests": digests_export.export_user_data,
    "foryou": foryou_export.export_user_data,
}


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
    for app, export in EXPORTS.items():
        data[app] = export(user)
    return data


def delete_account(user):
    """Delete `user` and what is theirs, as the account page says (people/settings.html;
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
    with transaction.atomic():
        discussion.erase_comments_of(user)
        digests.end_for_account(user)
        # updated_at moves: the API's ETags and caches are keyed on it.
        FeedEntry.objects.filter(submitted_by=user).update(
            submitter_name="", submitted_by=None, updated_at=timezone.now()
        )
        user.delete()
