"""Pages of the community: upvote, submit a paper, hide a paper (staff).

Each view: check access → validate → call community/services.py → redirect, render or
answer JSON (for vote.js, which asks with `Accept: application/json`).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from dailypapers.accounts.rules import has_staff_powers, participation_error
from dailypapers.community import services
from dailypapers.core.forms import TextField
from dailypapers.core.ratelimits import limited, wants_json
from dailypapers.core.redirects import safe_next
from dailypapers.lib.arxiv_ids import is_arxiv_id
from dailypapers.papers.models import FeedEntry, Paper

# --- Upvotes -------------------------------------------------------------------------------


# CSRF is checked for logged-in voters only: a logged-out visitor's form comes from a
# page cached for every anonymous reader (papers/views.py), which can hold no CSRF token,
# and what they get is only a redirect to the log-in page, which changes nothing.
@csrf_exempt
@require_POST
def upvote(request, arxiv_id):
    if not is_arxiv_id(arxiv_id):
        raise Http404("not an arXiv id")
    paper_url = reverse("papers:paper", kwargs={"arxiv_id": arxiv_id})
    if not request.user.is_authenticated:
        if wants_json(request):
            login = f"{reverse('account_login')}?{urlencode({'next': paper_url})}"
            return JsonResponse({"error": "Log in to vote.", "login_url": login}, status=401)
        return redirect_to_login(safe_next(request, paper_url))
    return _upvote(request, arxiv_id, paper_url)


@csrf_protect
@limited("vote")
def _upvote(request, arxiv_id, paper_url):
    # A refusal (services.Refused) answers as a page or JSON (accounts/middleware.py).
    paper = services.votable_paper(arxiv_id)
    action = request.POST.get("action")
    if action in ("up", "down"):
        voted, upvotes = services.set_vote(request.user, paper, action == "up")
    else:
        voted, upvotes = services.toggle_vote(request.user, paper)
    if wants_json(request):
        # A card shows its own feed day's count (a paper featured twice has two).
        entry_id = request.POST.get("entry", "")
        if entry_id.isdigit():
            entry = (
                FeedEntry.objects.filter(pk=int(entry_id), paper=paper)
                .values_list("upvotes", flat=True)
                .first()
            )
            if entry is not None:
                upvotes = entry
        return JsonResponse({"voted": voted, "upvotes": upvotes})
    return redirect(safe_next(request, paper_url))


# --- Submissions ---------------------------------------------------------------------------


class SubmitForm(forms.Form):
    paper = TextField(
        label="arXiv id or link",
        max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": "2501.01234 or https://arxiv.org/abs/2501.01234"}
        ),
    )
    comment = TextField(
        label="Comment (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why is this paper worth reading? It starts the paper's discussion.",
    )


def submit(request):
    if not request.user.is_authenticated:
        return _submit_signed_out(request)
    return _submit(request)


def _submit_signed_out(request):
    """The submit page for a signed-out reader: why they cannot yet, and the way in
    (log-in and sign-up both come back here, with the paper they meant filled in)."""
    here = request.get_full_path() if request.method == "GET" else reverse("community:submit")
    context = {
        "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': here})}",
        **_rules(),
    }
    return render(
        request, "community/submit.html", context, status=200 if request.method == "GET" else 401
    )


def _rules():
    return {
        "max_age_days": settings.SUBMIT_MAX_AGE_DAYS,
        "daily_limit": settings.SUBMIT_DAILY_LIMIT,
        "oldest": services.oldest_submittable(),
    }


@limited("submit")
def _submit(request):
    status = 200
    next_steps = []
    if request.method == "POST":
        form = SubmitForm(request.POST)
        if form.is_valid():
            try:
                entry = services.submit(
                    request.user, form.cleaned_data["paper"], form.cleaned_data["comment"]
                )
            except services.Refused as refusal:
                form.add_error("paper", refusal.message)
                status = refusal.status
                next_steps = getattr(refusal, "next_steps", [])
            else:
                messages.success(request, f"Thank you: “{entry.paper.title}” is in today's feed.")
                return redirect(entry.paper)
        else:
            status = 400
    else:
        form = SubmitForm(initial={"paper": request.GET.get("paper", "")})
    context = {
        "form": form,
        "refusal": participation_error(request.user),
        "next_steps": next_steps,
        **_rules(),
    }
    return render(request, "community/submit.html", context, status=status)


# --- Moderation ----------------------------------------------------------------------------


@require_POST
def hide(request, arxiv_id):
    """Staff: hide a paper (`hidden=1`) or show it again (`hidden=0`)."""
    if not has_staff_powers(request.user):
        raise Http404("no such page")
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    hidden = request.POST.get("hidden") == "1"
    services.set_hidden(request.user, paper, hidden)
    messages.success(
        request,
        "The paper is hidden from everyone but staff." if hidden else "The paper is visible again.",
    )
    return redirect(paper)
