"""Profile pages and the account settings page (API tokens, data export, deletion).
Sign-up, log-in, email and password pages are allauth's (templates/allauth, account/)."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dailypapers.accounts import services as accounts
from dailypapers.accounts.decorators import staff_powers_required
from dailypapers.accounts.rules import has_staff_powers, is_suspended, may_act_on
from dailypapers.digests import subscriptions as digests
from dailypapers.digests.forms import PreferencesForm
from dailypapers.people import services
from dailypapers.people.forms import DeleteAccountForm, SuspendForm, TokenForm

PROFILE_ENTRIES = 30


def profile(request, username):
    staff = has_staff_powers(request.user)
    people = get_user_model().objects.all()
    if not staff:
        people = people.filter(is_active=True)
    profile_user = get_object_or_404(people, username=username)
    page = Paginator(services.submitted_entries(profile_user), PROFILE_ENTRIES).get_page(
        request.GET.get("page")
    )
    context = {
        "profile_user": profile_user,
        "entries": page,
        "suspended": is_suspended(profile_user) if staff else False,
        # The suspend / unsuspend form: for staff who may act on this account.
        "may_suspend": staff and may_act_on(request.user, profile_user) is None,
        "is_self": request.user == profile_user,
    }
    return render(request, "people/profile.html", context)


@staff_powers_required
@require_POST
def suspension(request, username):
    profile_user = get_object_or_404(get_user_model(), username=username)
    form = SuspendForm(request.POST)
    # Refused (oneself, a superuser) answers its page (accounts/middleware.py).
    if request.POST.get("action") == "unsuspend":
        accounts.unsuspend(request.user, profile_user)
        messages.success(request, f"{profile_user.username} is no longer suspended.")
    elif form.is_valid():
        accounts.suspend(request.user, profile_user, form.cleaned_data["reason"])
        messages.success(
            request, f"{profile_user.username} is suspended: they can read but not take part."
        )
    return redirect("people:profile", profile_user.username)


def _settings_context(request, digest_form=None, **extra):
    # The digest subscriptions of the member's verified addresses, each with its form
    # (prefixed: a member may have more than one address).
    subscriptions = [
        (
            s,
            digest_form
            if digest_form and digest_form.prefix == f"digest-{s.pk}"
            else _digest_form(s),
        )
        for s in digests.subscriptions_of(request.user)
    ]
    return {
        "tokens": request.user.api_tokens.all(),
        "token_form": TokenForm(),
        "delete_form": DeleteAccountForm(request.user),
        "digest_subscriptions": subscriptions,
        **extra,
    }


def _digest_form(subscription, data=None):
    return PreferencesForm.for_subscription(subscription, data, prefix=f"digest-{subscription.pk}")


@login_required
def settings_page(request):
    return render(request, "people/settings.html", _settings_context(request))


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "people/settings.html",
            _settings_context(request, token_form=form),
            status=400,
        )
    row, token = accounts.create_token(request.user, form.cleaned_data["name"])
    # The token text exists only in this response: it is not stored, and the page is
    # not kept by the browser's cache either.
    response = render(request, "people/token_created.html", {"token": token, "row": row})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def digest(request, subscription_id):
    """Change, cancel or resume the digest subscription of one of the member's verified
    addresses (the account page's "Email digest" section)."""
    subscription = next(
        (s for s in digests.subscriptions_of(request.user) if s.pk == subscription_id), None
    )
    if subscription is None:
        raise Http404("No such subscription.")
    action = request.POST.get("action")
    if action == "unsubscribe":
        digests.unsubscribe(subscription)
        messages.success(
            request, f"{subscription.email} is unsubscribed: no more digests are sent to it."
        )
        return redirect("people:settings")
    form = _digest_form(subscription, request.POST)
    if not form.is_valid():
        return render(
            request,
            "people/settings.html",
            _settings_context(request, digest_form=form),
            status=400,
        )
    if action == "resubscribe":
        digests.resubscribe(subscription, form.preferences(), user=request.user)
        messages.success(request, f"{subscription.email} is subscribed again.")
    else:
        digests.save_preferences(subscription, form.preferences(), user=request.user)
        messages.success(request, "Your digest choices are saved.")
    return redirect("people:settings")


@login_required
@require_POST
def token_revoke(request, token_id):
    if accounts.revoke_token(request.user, token_id):
        messages.success(request, "Token revoked: requests using it are now refused.")
    else:
        messages.error(request, "No such token.")
    return redirect("people:settings")


@login_required
def export(request):
    data = services.export_user_data(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="dailypapers-{request.user.username}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def delete(request):
    form = DeleteAccountForm(request.user, request.POST)
    if not form.is_valid():
        messages.error(request, "Your account was not deleted: the password did not match.")
        return render(
            request,
            "people/settings.html",
            _settings_context(request, delete_form=form),
            status=400,
        )
    user = request.user
    logout(request)
    services.delete_account(user)
    messages.success(request, "Your account and its data are deleted.")
    return redirect("papers:home")
