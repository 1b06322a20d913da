"""`dailypapers subscribers add EMAIL... [--weekly] [--confirmed]` — for operators importing
a list of addresses.

    dailypapers subscribers add ada@example.org alan@example.org
    dailypapers subscribers add --confirmed --weekly --file list.txt   (one address a line)
    dailypapers subscribers remove ada@example.org

Without --confirmed each new address is sent the confirmation email and receives
nothing until it is confirmed. Use --confirmed only for addresses that already agreed to
receive the digest (e.g. a list moved from another service). Existing active
subscriptions are left as they are. `remove` unsubscribes at once (e.g. for a request
that reached the List-Unsubscribe mailto: address).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from dailypapers.core.migrations_state import require_migrated
from dailypapers.digests import subscriptions
from dailypapers.digests.models import Subscription


class Command(BaseCommand):
    help = "Add subscribers to the email digest (operators importing a list), or remove them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,remove}")
        add = sub.add_parser(
            "add", help="add addresses (a confirmation email each, unless --confirmed)"
        )
        add.add_argument("emails", nargs="*", metavar="EMAIL")
        add.add_argument("--file", help="a file with one address a line")
        add.add_argument("--weekly", action="store_true", help="the weekly digest (default: daily)")
        add.add_argument(
            "--confirmed", action="store_true", help="active at once, no confirmation email"
        )
        remove = sub.add_parser("remove", help="unsubscribe addresses at once")
        remove.add_argument("emails", nargs="+", metavar="EMAIL")

    def handle(self, *args, action, emails, **options):
        require_migrated()
        emails = list(emails)
        if options.get("file"):
            try:
                with open(options["file"], encoding="utf-8") as handle:
                    emails += [
                        line.strip() for line in handle if line.strip() and not line.startswith("#")
                    ]
            except OSError as exc:
                raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
        if not emails:
            raise CommandError("give at least one EMAIL (or --file)")
        bad = []
        for address in emails:
            try:
                validate_email(subscriptions.normalise_email(address))
            except ValidationError:
                bad.append(address)
        if bad:
            raise CommandError(f"not email addresses: {', '.join(bad[:10])}")
        if action == "remove":
            return self.remove(emails)
        return self.add(emails, options["weekly"], options["confirmed"])

    def add(self, emails, weekly, confirmed):
        created = failed = 0
        for address in emails:
            try:
                _, new = subscriptions.add_subscriber(address, weekly=weekly, confirmed=confirmed)
            except subscriptions.SendFailed as exc:
                self.stderr.write(f"{address}: the confirmation email could not be sent: {exc}")
                failed += 1
                continue
            created += new
        state = "active" if confirmed else "waiting for confirmation"
        self.stdout.write(
            f"{created} added ({state}), {len(emails) - created - failed} already known"
        )
        if failed:
            raise CommandError(
                f"{failed} confirmation email(s) could not be sent; run the command again later"
            )

    def remove(self, emails):
        removed = 0
        for address in emails:
            subscription = Subscription.objects.filter(
                email=subscriptions.normalise_email(address)
            ).first()
            if subscription is not None:
                subscriptions.unsubscribe(subscription)
                removed += 1
        self.stdout.write(f"{removed} unsubscribed, {len(emails) - removed} not found")
