"""The digest's emails: each from three templates (subject, text, HTML) under
templates/digests/email/, with the headers mail clients need to offer unsubscribing.

    confirmation_message(subscription)      the double opt-in link
    manage_link_message(subscription)       sent instead when the address has a subscription:
                                            a fresh manage link
    digest_message(row, subscription, period, papers)

Links are absolute (settings.SITE_URL). HTML uses inline styles and tables only, which
is what common mail clients render; every email has a plain-text alternative.
"""

import functools
from email.utils import parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse

from dailypapers.digests import tokens
from dailypapers.foryou import services as foryou


def from_domain():
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def unsubscribe_mailto():
    return settings.DIGEST_UNSUBSCRIBE_MAILTO or f"unsubscribe@{from_domain()}"


def absolute(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def manage_url(subscription):
    return absolute("digests:manage", tokens.make("manage", subscription))


def unsubscribe_url(subscription):
    return absolute("digests:unsubscribe", tokens.make("unsubscribe", subscription))


def confirm_url(subscription):
    return absolute("digests:confirm", tokens.make("confirm", subscription))


def list_unsubscribe_headers(subscription, token):
    """RFC 2369 List-Unsubscribe (https and mailto) and RFC 8058 one-click."""
    https = absolute("digests:unsubscribe", token)
    mailto = f"mailto:{unsubscribe_mailto()}?subject={quote('unsubscribe-' + token)}"
    return {
        "List-Unsubscribe": f"<{https}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def render(name, context):
    """(subject, text, html) from digests/email/<name>_{subject.txt,body.txt,body.html}."""
    subject = get_template(f"digests/email/{name}_subject.txt").render(context)
    text = get_template(f"digests/email/{name}_body.txt").render(context)
    html = get_template(f"digests/email/{name}_body.html").render(context)
    return " ".join(subject.split()), text, html


def build(name, to, context, headers=None):
    context = {"site_url": settings.SITE_URL, **context}
    subject, text, html = render(name, context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscription):
    context = {
        "subscription": subscription,
        "confirm_url": confirm_url(subscription),
        "max_age_days": settings.DIGEST_CONFIRM_MAX_AGE_DAYS,
    }
    return build("confirm", subscription.email, context)


def manage_link_message(subscription, asked="subscribe"):
    """asked: "subscribe" (someone asked to subscribe the address) or "link" (someone
    asked for a new link from an expired or signed-out one)."""
    context = {
        "subscription": subscription,
        "asked": asked,
        "manage_url": manage_url(subscription),
        "max_age_days": settings.DIGEST_MANAGE_MAX_AGE_DAYS,
        "unsubscribe_url": unsubscribe_url(subscription),
    }
    return build("manage_link", subscription.email, context)


def _feedback(subscription, candidate):
    """A member's "More like this" / "Not interested" links for one paper (signed, no
    log-in needed: foryou/views.py link_feedback); nothing for other subscribers."""
    if not subscription.user_id or not candidate.paper_id:
        return {}
    base = _feedback_base(settings.SITE_URL)
    return {
        signal: base.replace(
            "TOKEN", foryou.feedback_token(subscription.user_id, candidate.paper_id, signal)
        )
        for signal in ("more", "not_interested")
    }


@functools.lru_cache(maxsize=8)
def _feedback_base(site):
    # Reversed once per site address: a digest run writes two links per paper per member.
    return site + reverse("foryou:link-feedback", args=["TOKEN"])


def digest_message_id(row):
    """Stable per outbox row: a copy sent twice (see sending.Sender.deliver) has the same id."""
    return f"<digest.{row.pk}.{row.period.replace(':', '.')}@{from_domain()}>"


def digest_message(row, subscription, period, papers, picks=()):
    """papers: [(Candidate, matched kinds)] in digest order; picks: a member's personal
    picks (Candidates with reasons), shown first."""
    unsubscribe_token = tokens.make("unsubscribe", subscription)
    headers = {
        **list_unsubscribe_headers(subscription, unsubscribe_token),
        "Message-ID": digest_message_id(row),
        "List-Id": f"dailypapers {subscription.frequency} digest <{subscription.frequency}.digest.{from_domain()}>",
        "X-Digest-Period": row.period,
    }
    context = {
        "subscription": subscription,
        "period": period,
        "papers": [
            {"paper": c, "matched": sorted(m), **_feedback(subscription, c)} for c, m in papers
        ],
        "picks": [{"paper": c, **_feedback(subscription, c)} for c in picks],
        "manage_url": manage_url(subscription),
        "unsubscribe_url": absolute("digests:unsubscribe", unsubscribe_token),
    }
    return build("digest", subscription.email, context, headers)
