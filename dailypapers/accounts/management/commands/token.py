"""`dailypapers token` — API tokens for the write API, from the command line.

    TOKEN=$(dailypapers token create alice --name "import script")   # prints the token only
    dailypapers token list alice
    dailypapers token revoke dp_AbC1234

Run by staff on the server. A token is printed once and only its hash is kept; people
make their own on their account page (/account/).
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dailypapers.accounts import services
from dailypapers.accounts.models import ApiToken
from dailypapers.core.migrations_state import require_migrated


class Command(BaseCommand):
    help = (
        "Create, list or revoke API tokens (sent as `Authorization: Bearer <token>` to the write API). "
        "`create USERNAME` prints only the new token, so TOKEN=$(dailypapers token create alice) works; "
        "it is shown once and stored hashed."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="create a token for USERNAME and print it")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for (shown in lists)")
        listing = sub.add_parser(
            "list", help="list USERNAME's tokens (prefix, name, created, last used)"
        )
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke the token whose text starts with PREFIX")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        require_migrated()
        return getattr(self, f"_{action}")(**options)

    def _user(self, username):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None

    def _create(self, username, name, **options):
        user = self._user(username)
        if not user.is_active:
            raise CommandError(
                f"{username!r} is not an active account: its tokens would be refused"
            )
        _, token = services.create_token(user, name)
        self.stdout.write(token)

    def _list(self, username, **options):
        user = self._user(username)
        tokens = user.api_tokens.all()
        if not tokens:
            self.stderr.write(f"{username} has no API tokens")
        for token in tokens:
            used = (
                token.last_used_at.isoformat(timespec="seconds")
                if token.last_used_at
                else "never used"
            )
            self.stdout.write(
                f"{token.prefix}\t{token.name or '-'}\tcreated {token.created_at.isoformat(timespec='seconds')}\t{used}"
            )

    def _revoke(self, prefix, **options):
        # The stored prefix is a token's first 10 characters (a whole token works too).
        matches = (
            list(ApiToken.objects.filter(prefix=prefix[:10]).select_related("user")[:2])
            if len(prefix) >= 10
            else []
        )
        if not matches:
            raise CommandError(
                f"no token with prefix {prefix!r} (give the 10 characters shown by `token list`)"
            )
        if len(matches) > 1:
            raise CommandError(
                f"more than one token starts with {prefix!r}: revoke it from the admin"
            )
        token = matches[0]
        token.delete()
        self.stdout.write(f"revoked {token.prefix} of {token.user.username}")
