"""Feed pages. Each view: parse the URL → ask selectors → render. Bad input is a 404."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.conf import settings

from dailypapers.lib.arxiv_ids import is_arxiv_id
from dailypapers.lib.periods import PARSERS, InvalidPeriod, day_period
from dailypapers.papers import selectors
from dailypapers.papers.models import Paper

PAGE_SIZE = 50


def _render_period(request, period, *, is_home=False):
    entries = selectors.entries_in(period)
    page = None
    if period.kind != "day":
        # Weeks and months can hold hundreds of papers: page them (a day never needs it).
        paginator = Paginator(entries, PAGE_SIZE)
        try:
            number = int(request.GET.get("page", "1"))
        except ValueError:
            raise Http404("bad page number") from None
        if number < 1 or (number > paginator.num_pages):
            raise Http404("no such page")
        page = paginator.page(number)
        entries = page.object_list
    previous, following = selectors.neighbours(period)
    tabs = [
        (kind, label, period.as_kind(kind), kind == period.kind)
        for kind, label in (("day", "Daily"), ("week", "Weekly"), ("month", "Monthly"))
    ]
    context = {
        "nav": "daily",
        "tabs": tabs,
        "period": period,
        "entries": entries,
        "page": page,
        "rank_offset": page.start_index() - 1 if page else 0,
        "previous": previous,
        "next": following,
        "fingerprint": selectors.fingerprint(period),
        "is_home": is_home,
        "show_day": period.kind != "day",
    }
    return render(request, "papers/period.html", context)


def home(request):
    latest = selectors.latest_feed_day()
    if latest is None:
        return render(request, "papers/empty_site.html")
    return _render_period(request, day_period(latest), is_home=True)


def period(request, kind, value):
    try:
        parsed = PARSERS[kind](value)
    except InvalidPeriod as exc:
        raise Http404(str(exc)) from None
    return _render_period(request, parsed)


def trending(request):
    reference, scored = selectors.trending()
    context = {
        "nav": "trending",
        "reference": reference,
        "scored": scored,
        "half_life": settings.TRENDING_HALF_LIFE_HOURS,
        "window_days": settings.TRENDING_WINDOW_DAYS,
    }
    return render(request, "papers/trending.html", context)


def paper(request, arxiv_id):
    if not is_arxiv_id(arxiv_id):
        raise Http404("not an arXiv id")
    paper = get_object_or_404(Paper.objects.visible(), arxiv_id=arxiv_id)
    features = list(paper.feed_entries.visible().order_by("day"))
    context = {
        "paper": paper,
        "features": features,
        "upvotes": sum(e.upvotes for e in features),
        "num_comments": sum(e.num_comments for e in features),
    }
    return render(request, "papers/paper.html", context)
