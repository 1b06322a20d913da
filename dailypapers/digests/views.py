"""Subscribe, confirm, manage and unsubscribe pages. Logic is in subscriptions.py.

/subscribe accepts the footer's form from any page. Pages served to anonymous readers
come from a shared cache (dailypapers/core/pagecache.py) and must not carry a CSRF
token, so the anonymous form has none: subscribing by email only ever sends a
confirmation email, which takes effect when its owner follows the link. A logged-in
user's one-click subscription takes effect at once, so for them CSRF is checked here.
/unsubscribe/<token> answers RFC 8058 one-click POSTs from mail clients, which carry no
CSRF token either; the signed token is the proof.

Whatever the address's state, an anonymous subscribe request gets the same page; what
differs goes to the address by email. A member's own verified address needs no email:
they see their subscription and manage it in their account settings.
"""

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from dailypapers.digests import subscriptions, tokens
from dailypapers.digests.forms import PreferencesForm, SubscribeForm

BAD_TOKEN = {
    "expired": "This link has expired. Subscribe again to receive a new confirmation email.",
    "invalid": "This link is not valid. Check that it was copied whole from the email.",
    "revoked": "This link no longer works. Use the link in a more recent email, or subscribe again.",
}
# A manage link that expired or was signed out still names its subscription: its owner
# can have a fresh one emailed to the address (views.fresh_link).
BAD_MANAGE_TOKEN = {
    "expired": "This link has expired: links to change your choices work for {days} days after they are sent.",
    "revoked": "This link no longer works: the links sent to this address were signed out, or it was unsubscribed.",
}
# What subscriptions.subscribe did, for requests that prove nothing about the address: one
# page for all, so that it never tells whether an address is subscribed (the email does).
EMAILED = {"confirm", "manage", "throttled"}


def _bad_token(request, error, purpose=None, token=None):
    context = {"message": BAD_TOKEN[error.reason]}
    if purpose == "manage" and error.reason in BAD_MANAGE_TOKEN:
        context = {
            "message": BAD_MANAGE_TOKEN[error.reason].format(
                days=settings.DIGEST_MANAGE_MAX_AGE_DAYS
            ),
            "fresh_link_token": token,
        }
        # Unsubscribing needs no fresh link: the email this one came in has a permanent
        # unsubscribe link anyway.
        subscription = subscriptions.named_by(token)
        if subscription is not None and subscription.receives_mail:
            context["unsubscribe_token"] = tokens.make("unsubscribe", subscription)
    return render(request, "digests/bad_token.html", context, status=400)


def _csrf_rejected(request):
    """The CSRF middleware's own check, for the views that are exempt only in part."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


def _rate_limited(request):
    if is_ratelimited(
        request,
        group="digests.subscribe",
        key="ip",
        rate=settings.RATE_LIMIT_SUBSCRIBE,
        method="POST",
        increment=True,
    ):
        message = (
            "Too many subscription requests in a short time. Please wait a little and try again."
        )
        return render(request, "429.html", {"message": message}, status=429)
    return None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request):
    user = request.user if request.user.is_authenticated else None
    if request.method == "GET":
        initial = {"email": user.email} if user else {}
        context = {
            "form": SubscribeForm(initial=initial),
            "own": subscriptions.subscriptions_of(user) if user else [],
        }
        return render(request, "digests/subscribe.html", context)
    if user is not None and (rejected := _csrf_rejected(request)):
        return rejected
    if limited := _rate_limited(request):
        return limited
    data = request.POST.copy()
    if user is not None and not data.get("email"):
        data["email"] = user.email  # the one-click button sends no address
    form = SubscribeForm(data)
    if not form.is_valid():
        return render(request, "digests/subscribe.html", {"form": form}, status=400)
    email = subscriptions.normalise_email(form.cleaned_data["email"])
    try:
        subscription, outcome = subscriptions.subscribe(email, form.preferences(), user=user)
    except subscriptions.SendFailed:
        return render(
            request, "digests/subscribe.html", {"form": form, "send_failed": True}, status=503
        )
    if outcome in EMAILED:
        return render(request, "digests/subscribed.html", {"email": email})
    return render(
        request,
        "digests/subscribed_member.html",
        {"subscription": subscription, "outcome": outcome},
    )


@require_POST
def fresh_link(request):
    """An expired or signed-out manage link's "email me a new link" button. The new link
    goes to the subscription's address, and the answer is the subscribe page's."""
    if limited := _rate_limited(request):
        return limited
    token = request.POST.get("token", "")
    try:
        subscription, _ = subscriptions.send_fresh_link(token)
    except tokens.BadToken as error:
        return _bad_token(request, error)
    except subscriptions.SendFailed:
        return render(
            request,
            "digests/bad_token.html",
            {"message": SEND_FAILED, "fresh_link_token": token},
            status=503,
        )
    return render(request, "digests/subscribed.html", {"email": subscription.email})


SEND_FAILED = "We could not send the email just now. Please try again in a few minutes."


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscription = subscriptions.subscription_for("confirm", token)
    except tokens.BadToken as error:
        return _bad_token(request, error)
    if request.method == "POST":
        subscription = subscriptions.confirm(token)
        context = {
            "subscription": subscription,
            "manage_token": tokens.make("manage", subscription),
        }
        return render(request, "digests/confirmed.html", context)
    return render(request, "digests/confirm.html", {"subscription": subscription, "token": token})


@require_http_methods(["GET", "POST"])
def manage(request, token):
    try:
        subscription = subscriptions.subscription_for("manage", token)
    except tokens.BadToken as error:
        return _bad_token(request, error, "manage", token)
    form = PreferencesForm.for_subscription(subscription)
    saved = False
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unsubscribe":
            subscription = subscriptions.unsubscribe(subscription)
            return render(request, "digests/unsubscribed.html", {"subscription": subscription})
        if action == "revoke":
            subscriptions.revoke_links(subscription)
            return render(request, "digests/links_revoked.html", {"subscription": subscription})
        form = PreferencesForm.for_subscription(subscription, request.POST)
        if form.is_valid():
            if action == "resubscribe":
                subscription = subscriptions.resubscribe(subscription, form.preferences())
            else:
                subscription = subscriptions.save_preferences(subscription, form.preferences())
            saved = True
    context = {
        "subscription": subscription, "form": form, "token": token, "saved": saved,
        "manage_max_age_days": settings.DIGEST_MANAGE_MAX_AGE_DAYS,
    }  # fmt: skip
    return render(request, "digests/manage.html", context, status=400 if form.errors else 200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        subscription = subscriptions.subscription_for("unsubscribe", token)
    except tokens.BadToken as error:
        return _bad_token(request, error)
    if request.method == "POST":
        subscription = subscriptions.unsubscribe(subscription)
        return render(request, "digests/unsubscribed.html", {"subscription": subscription})
    return render(
        request, "digests/unsubscribe.html", {"subscription": subscription, "token": token}
    )
