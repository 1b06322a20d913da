"""Subscribe, confirm, manage and unsubscribe pages. Logic is in services.py.

/subscribe accepts the footer's form from any page. Pages served to anonymous readers
come from a shared cache (dailypapers/core/pagecache.py) and must not carry a CSRF
token, so the anonymous form has none: subscribing by email only ever sends a
confirmation email, which takes effect when its owner follows the link. A logged-in
user's one-click subscription takes effect at once, so for them CSRF is checked here.
/unsubscribe/<token> answers RFC 8058 one-click POSTs from mail clients, which carry no
CSRF token either; the signed token is the proof.
"""

from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from dailypapers.digests import services, tokens
from dailypapers.digests.forms import PreferencesForm, SubscribeForm

BAD_TOKEN = {
    "expired": "This link has expired. Subscribe again to receive a new confirmation email.",
    "invalid": "This link is not valid. Check that it was copied whole from the email.",
    "revoked": "This link no longer works. Use the link in a more recent email, or subscribe again.",
}


def _bad_token(request, error):
    return render(request, "digests/bad_token.html", {"message": BAD_TOKEN[error.reason]}, status=400)


def _csrf_rejected(request):
    """The CSRF middleware's own check, for the views that are exempt only in part."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request):
    user = request.user if request.user.is_authenticated else None
    if request.method == "GET":
        initial = {"email": user.email} if user else {}
        return render(request, "digests/subscribe.html", {"form": SubscribeForm(initial=initial)})
    if user is not None and (rejected := _csrf_rejected(request)):
        return rejected
    if is_ratelimited(request, group="digests.subscribe", key="ip", rate=settings.RATE_LIMIT_SUBSCRIBE, method="POST", increment=True):
        message = "Too many subscription requests in a short time. Please wait a little and try again."
        return render(request, "429.html", {"message": message}, status=429)
    data = request.POST.copy()
    if user is not None and not data.get("email"):
        data["email"] = user.email  # the one-click button sends no address
    form = SubscribeForm(data)
    if not form.is_valid():
        return render(request, "digests/subscribe.html", {"form": form}, status=400)
    try:
        subscription, outcome = services.subscribe(form.cleaned_data["email"], form.preferences(), user=user)
    except services.SendFailed:
        return render(request, "digests/subscribe.html", {"form": form, "send_failed": True}, status=503)
    return render(request, "digests/subscribed.html", {"subscription": subscription, "outcome": outcome})


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscription = services.subscription_for("confirm", token)
    except tokens.BadToken as error:
        return _bad_token(request, error)
    if request.method == "POST":
        subscription = services.confirm(token)
        context = {"subscription": subscription, "manage_token": tokens.make("manage", subscription)}
        return render(request, "digests/confirmed.html", context)
    return render(request, "digests/confirm.html", {"subscription": subscription, "token": token})


@require_http_methods(["GET", "POST"])
def manage(request, token):
    try:
        subscription = services.subscription_for("manage", token)
    except tokens.BadToken as error:
        return _bad_token(request, error)
    form = PreferencesForm.for_subscription(subscription)
    saved = False
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unsubscribe":
            subscription = services.unsubscribe(subscription)
        elif action == "resubscribe":
            subscription = services.resubscribe(subscription)
        else:
            form = PreferencesForm.for_subscription(subscription, request.POST)
            if form.is_valid():
                subscription = services.save_preferences(subscription, form.preferences())
                saved = True
    context = {"subscription": subscription, "form": form, "token": token, "saved": saved}
    return render(request, "digests/manage.html", context, status=400 if form.errors else 200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        subscription = services.subscription_for("unsubscribe", token)
    except tokens.BadToken as error:
        return _bad_token(request, error)
    if request.method == "POST":
        subscription = services.unsubscribe(subscription)
        return render(request, "digests/unsubscribed.html", {"subscription": subscription})
    return render(request, "digests/unsubscribe.html", {"subscription": subscription, "token": token})
