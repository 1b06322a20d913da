"""Rate limits on the community's writes (votes, submissions, comments, reports).

Counting is django-ratelimit's, in the Django cache; the rates are settings
(RATE_LIMIT_VOTE, …). A limited request answers 429 with a message saying what was
limited and when to try again: JSON under /api/ or for a fetch() asking for JSON, an
HTML page otherwise. Log-in, sign-up and password reset are limited by allauth itself
(ACCOUNT_RATE_LIMITS), which answers 429 with the same page.

    @limited("vote")                      # a view: POSTs counted per user, else per address
    def upvote(request, arxiv_id): ...

    check(request, "vote")   # in an API endpoint: the token's user (bearer auth sets
                             # request.user); the API answers Limited with the 429

Counts live in the shared cache ("default", dailypapers/core/cache.py), so a limit holds
across all server processes. The address counted is `client_ip`: behind a reverse proxy
(BEHIND_PROXY=1) the one the proxy appended to X-Forwarded-For.
"""

import ipaddress
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.core import ALL, is_ratelimited
from django_ratelimit.exceptions import Ratelimited

# What each limit is called in the message a limited person reads.
ACTIONS = {
    "vote": "votes",
    "submit": "paper submissions",
    "comment": "comments",
    "report": "reports",
}


class Limited(Ratelimited):
    def __init__(self, group):
        super().__init__(group)
        self.group = group


def rate_for(group):
    return getattr(settings, f"RATE_LIMIT_{group.upper()}")


def client_ip(request):
    """The client's address. Behind a reverse proxy (BEHIND_PROXY=1) every request comes
    from the proxy, which appends the address it was connected from to X-Forwarded-For:
    that last entry is the one trusted (exactly one hop). Entries before it are whatever
    the client sent and are ignored, so a forged header buys no fresh budget. The same
    hop is trusted by allauth's limits (ALLAUTH_TRUSTED_PROXY_COUNT, settings.py) and by
    django-ratelimit's "ip" key (RATELIMIT_IP_META_KEY)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            last = forwarded.rsplit(",", 1)[-1].strip()
            try:
                return str(ipaddress.ip_address(last))
            except ValueError:
                pass  # not an address: count the proxy's own, shared by all
    return remote


def _key(group, request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    address = client_ip(request)
    if ":" in address:
        # One IPv6 subscriber holds a whole /64: count it as one address, as allauth
        # and django-ratelimit's "ip" key do.
        address = str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return f"ip:{address}"


def check(request, group, key=None):
    """Count one `group` action for `request` (by `key`, default the user or the
    address); raise Limited when over the rate."""
    key_fn = (lambda g, r: key) if key is not None else _key
    if is_ratelimited(
        request, group=group, key=key_fn, rate=rate_for(group), method=ALL, increment=True
    ):
        raise Limited(group)


def limited(group):
    """View decorator: POSTs to the view count against `group`'s rate."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                check(request, group)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def message(group):
    what = ACTIONS.get(group, "requests")
    return f"Too many {what} in a short time. Please wait a little and try again (limit: {rate_for(group)})."


def wants_json(request):
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def too_many(request, group):
    text = (
        message(group)
        if group in ACTIONS
        else "Too many requests in a short time. Please wait a little and try again."
    )
    if wants_json(request):
        response = JsonResponse({"error": text}, status=429)
    else:
        response = render(request, "429.html", {"message": text}, status=429)
    response["Retry-After"] = "60"
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Ratelimited):
            return too_many(request, getattr(exception, "group", None))
        return None
