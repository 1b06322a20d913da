"""The For you page and its forms: feedback on a paper, follows, seeds, controls, reset.

Each view: check the reader → call foryou/services.py or selectors.py → render, redirect
back, or answer JSON (foryou.js asks with `Accept: application/json`, then reloads the
lists in place). Everything here is the signed-in reader's own.
"""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dailypapers.core.ratelimits import wants_json
from dailypapers.core.redirects import safe_next
from dailypapers.feeds.feeds import FeedContent, absolute, content_type_for
from dailypapers.foryou import selectors, services
from dailypapers.foryou.feeds import FEED_DAYS, FEED_ITEMS, PICK_FEEDS
from dailypapers.foryou.models import Feedback, Follow
from dailypapers.lib import bibliography
from dailypapers.lib.periods import InvalidPeriod, parse_day
from dailypapers.papers import selectors as papers
from dailypapers.papers.models import FeedEntry, Paper

TODAY_PICKS = 20
WEEK_PICKS = 10
FEATURED_PICKS = 20
START_PICKS = 12
KNOWS_LITTLE = 3  # signals below which the page says it knows too little


class ControlsForm(forms.Form):
    count_upvotes = forms.BooleanField(required=False, label="My upvotes count as interest")
    count_collections = forms.BooleanField(
        required=False, label="Papers in my collections count as interest"
    )
    hide_seen = forms.BooleanField(required=False, label="Hide papers For you has shown me")
    paused = forms.BooleanField(required=False, label="Pause For you")
    digest_mix = forms.IntegerField(
        min_value=0, max_value=100, label="Share of my digest picked for me (0–100)"
    )


class SeedFileForm(forms.Form):
    file = forms.FileField(
        required=False, label="A BibTeX or RIS file (Zotero, Mendeley, Google Scholar…)"
    )
    text = forms.CharField(
        required=False,
        max_length=bibliography.MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Or paste arXiv ids or links, one per line (or BibTeX / RIS)",
    )


class FollowForm(forms.Form):
    kind = forms.ChoiceField(choices=Follow.Kind.choices)
    value = forms.CharField(max_length=250)


def page(request):
    if not request.user.is_authenticated:
        return render(request, "foryou/signed_out.html", {"nav": "foryou"})
    return render(request, "foryou/page.html", _context(request))


def lists(request):
    """The page's lists alone (foryou.js swaps them in after feedback)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to see For you."}, status=401)
    return render(request, "foryou/_lists.html", _context(request))


def _lists(user, reading, day, featured_day):
    """(today's picks, the week's, the community's featured papers re-ranked)."""
    today = selectors.recommend(user, day, day, TODAY_PICKS, reading=reading)
    start, end = selectors.week_before(day - dt.timedelta(days=1))
    shown = {pick.paper.pk for pick in today}
    week = selectors.recommend(user, start, end, WEEK_PICKS + len(shown), reading=reading)
    week = [p for p in week if p.paper.pk not in shown][:WEEK_PICKS]
    featured = []
    if featured_day is not None:
        ids = FeedEntry.objects.visible().filter(day=featured_day).values_list("paper_id")
        featured = selectors.recommend(
            user,
            None,
            None,
            FEATURED_PICKS,
            papers=Paper.objects.visible().filter(pk__in=ids),
            reading=reading,
        )
    return today, week, featured


def _context(request):
    user = request.user
    reader = services.reader_of(user)
    day = selectors.latest_day()
    context = {
        "nav": "foryou",
        "reader": reader,
        "day": day,
        "follows": list(Follow.objects.filter(user=user)),
        "follow_form": FollowForm(),
        "controls": ControlsForm(
            initial={name: getattr(reader, name) for name in services.CONTROLS}
        ),
        "knows_little": reader.model_signals < KNOWS_LITTLE,
        "today": [],
        "week": [],
        "featured": [],
    }
    if reader.paused or day is None:
        return context
    reading = selectors.Reading(user, reader)  # refits first when the signals changed meanwhile
    context.update(reader=reading.reader, knows_little=reading.model.signals < KNOWS_LITTLE)
    featured_day = FeedEntry.objects.visible().order_by("-day").values_list("day", flat=True)
    featured_day = featured_day.first()
    lists = selectors.remembered_picks(
        reading,
        (day, featured_day),
        lambda: _lists(user, reading, day, featured_day),
        keep=not reader.hide_seen,
    )
    # Kept lists may hold a paper hidden since: it leaves here (one query).
    visible = set(
        Paper.objects.visible()
        .filter(pk__in=[p.paper.pk for picks in lists for p in picks])
        .values_list("pk", flat=True)
    )
    today, week, featured = ([p for p in picks if p.paper.pk in visible] for picks in lists)
    if reader.hide_seen:
        services.mark_seen(user, [p.paper for p in today + week + featured])
    context.update(
        today=today,
        week=week,
        featured=featured,
        featured_day=featured_day,
        starters=selectors.starters(user, START_PICKS) if context["knows_little"] else [],
    )
    return context


@login_required
@require_POST
def feedback(request, arxiv_id):
    paper = services.paper_for_feedback(arxiv_id)
    signal = request.POST.get("signal", "")
    if signal == "undo":
        services.take_back_feedback(request.user, paper)
        text = "Taken back."
    else:
        services.give_feedback(request.user, paper, signal)
        text = (
            "Noted: less like this from now on."
            if signal == Feedback.Signal.NOT_INTERESTED
            else "Noted: more like this from now on."
        )
    if wants_json(request):
        return JsonResponse({"paper": paper.arxiv_id, "signal": signal, "message": text})
    messages.success(request, text)
    return redirect(safe_next(request, reverse("foryou:page")))


@login_required
@require_POST
def seed(request):
    ids = [pk for pk in request.POST.getlist("paper") if pk.isdigit()][:100]
    papers = list(Paper.objects.visible().filter(pk__in=ids))
    added = services.seed(request.user, papers, Feedback.Source.PICK)
    messages.success(request, f"{added} paper{'s' if added != 1 else ''} added to what you like.")
    return redirect("foryou:page")


@login_required
@require_POST
def follow(request):
    form = FollowForm(request.POST)
    if form.is_valid():
        made = services.follow(request.user, form.cleaned_data["kind"], form.cleaned_data["value"])
        messages.success(request, f"Following {made.get_kind_display()} “{made.value}”.")
    else:
        messages.error(request, "Say what to follow: a category, an author, a keyword or a search.")
    return redirect("foryou:page")


@login_required
@require_POST
def unfollow(request, follow_id):
    if services.unfollow(request.user, follow_id):
        messages.success(request, "No longer followed.")
    return redirect("foryou:page")


@login_required
@require_POST
def controls(request):
    form = ControlsForm(request.POST)
    if form.is_valid():
        services.set_controls(request.user, **form.cleaned_data)
        messages.success(request, "Your For you settings are saved.")
    else:
        messages.error(request, "The digest's share is a number from 0 to 100.")
    return redirect("foryou:page")


@login_required
@require_POST
def reset(request):
    services.reset(request.user)
    messages.success(request, "For you has forgotten your feedback, follows and history.")
    return redirect("foryou:page")


@login_required
@require_POST
def feed_token(request):
    """A new secret address for the reader's private feed (the old one stops working),
    or none (`revoke`)."""
    if request.POST.get("action") == "revoke":
        services.revoke_feed_token(request.user)
        messages.success(request, "Your private feed's address is revoked.")
        return redirect("foryou:page")
    token = services.new_feed_token(request.user)
    urls = {fmt: absolute(reverse("foryou:feed", args=[token, fmt])) for fmt in PICK_FEEDS}
    messages.success(
        request,
        f"Your private feed: {urls['rss']} (Atom: {urls['atom']}). Keep it to yourself; "
        "it is shown only now.",
    )
    return redirect("foryou:page")


@require_safe
def feed(request, token, fmt):
    user = services.feed_reader(token)
    if user is None:
        raise Http404("no such feed")
    day = selectors.latest_day()
    picks = []
    if day is not None and not services.reader_of(user).paused:
        picks = selectors.recommend(user, day - dt.timedelta(days=FEED_DAYS - 1), day, FEED_ITEMS)
    content = FeedContent(
        title=f"For {user.username} · dailypapers",
        description="New arXiv papers ranked for you, with the reasons.",
        link=absolute(reverse("foryou:page")),
        url=absolute(request.path),
        entries=picks,
    )
    feed = PICK_FEEDS[fmt].get_feed(content, request)
    response = HttpResponse(content_type=content_type_for(request, feed.content_type))
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    patch_vary_headers(response, ["Accept"])
    feed.write(response, "utf-8")
    return response


@login_required
@require_safe
def day_for_me(request, value):
    """A feed day's papers sorted for the reader instead of by upvotes (the day page's
    "For me" sort): the same page, the same cards, in the reader's order."""
    try:
        period = parse_day(value)
    except InvalidPeriod as exc:
        raise Http404(str(exc)) from None
    entries = list(papers.entries_in(period).select_related("paper"))
    ids = [e.paper_id for e in entries]
    picks = selectors.recommend(
        request.user,
        None,
        None,
        len(entries),
        papers=Paper.objects.filter(pk__in=ids),
        keep_acted=True,
    )
    order = {pick.paper.pk: n for n, pick in enumerate(picks)}
    entries.sort(key=lambda e: order.get(e.paper_id, len(order)))
    previous, following, _ = papers.period_summary(period)
    cards = render_to_string(
        "papers/_period_cards.html",
        {"period": period, "entries": entries, "page": None, "rank_offset": 0},
    )
    context = {
        "nav": "daily",
        "tabs": [("day", "Daily", period, True)],
        "period": period,
        "cards": mark_safe(cards),  # rendered by our own template, escaped there
        "previous": previous,
        "next": following,
        "for_me": True,
    }
    return render(request, "papers/period.html", context)


@login_required
def seeds(request):
    """Start from one's own papers or library: a file or pasted list, or an author name
    whose papers one confirms."""
    context = {"nav": "foryou", "form": SeedFileForm(), "result": None}
    name = request.GET.get("author", "").strip()[:200]
    if name:
        context.update(author=name, authored=services.papers_by_author(name))
    if request.method != "POST":
        return render(request, "foryou/seeds.html", context)
    form = SeedFileForm(request.POST, request.FILES)
    context["form"] = form
    status = 400
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(bibliography.MAX_BYTES + 1) if upload else form.cleaned_data["text"]
        name = upload.name if upload else ""
        if not data:
            context["error"] = "Choose a file or paste a list."
        else:
            try:
                context["result"] = services.import_seeds(request.user, data, name)
                status = 200
            except bibliography.BibliographyError as exc:
                context["error"] = str(exc)
    else:
        context["error"] = "The pasted text is too long."
    return render(request, "foryou/seeds.html", context, status=status)


@login_required
@require_POST
def seed_author(request):
    """The papers a reader confirmed as theirs (from `seeds`' author search)."""
    ids = [pk for pk in request.POST.getlist("paper") if pk.isdigit()][: services.MAX_AUTHOR_PAPERS]
    papers = list(Paper.objects.visible().filter(pk__in=ids))
    added = services.seed(request.user, papers, Feedback.Source.AUTHOR)
    name = request.POST.get("author", "").strip()
    if name and request.POST.get("follow"):
        services.follow(request.user, Follow.Kind.AUTHOR, name)
    messages.success(request, f"{added} of your papers added to what you like.")
    return redirect("foryou:page")


@require_http_methods(["GET", "HEAD", "POST"])
def link_feedback(request, token):
    """A digest's "More like this" / "Not interested" link: the page asks, the button
    (POST) records it, so that mail scanners following links change nothing."""
    user, paper, signal = services.feedback_from_token(token)
    done = False
    if request.method == "POST":
        services.give_feedback(user, paper, signal, Feedback.Source.BUTTON)
        done = True
    context = {"paper": paper, "signal": Feedback.Signal(signal), "token": token, "done": done}
    return render(request, "foryou/link_feedback.html", context)
