"""allauth's account adapter, with the site's own name in its emails.

allauth names the site after django.contrib.sites, which dailypapers does not install:
without it the name is the request's host, and a new member was greeted with "Hello from
127.0.0.1:8000!". Here every account email gets settings.SITE_NAME and the host of
settings.SITE_URL instead (the greeting and signature of allauth's base_message.txt)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class Site:
    """What allauth's email templates read of a Site: its name and domain."""

    name: str
    domain: str


def current_site():
    return Site(
        name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_URL
    )


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # allauth's send_mail sets current_site first and then applies `context`.
        super().send_mail(template_prefix, email, {"current_site": current_site(), **context})
