"""Feed pages. Each view: parse the URL → ask selectors → render. Bad input is a 404.

Feed pages are cached as HTML under keys that include a fingerprint of the rows they
show (selectors.range_summary), so a vote, an edit or a
hidden paper changes the key and shows on the next load; nothing is invalidated by
hand. Anonymous readers get the whole page from the cache (core/pagecache.py); others
get the list of cards, the costly part (measured: ~80% of a page), from it.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from dailypapers.accounts.rules import has_staff_powers
from dailypapers.core.pagecache import anonymous_page, remember
from dailypapers.lib.arxiv_ids import is_arxiv_id
from dailypapers.lib.periods import PARSERS, InvalidPeriod, day_period
from dailypapers.papers import selectors
from dailypapers.papers.models import Paper

PAGE_SIZE = 50


def _page_number(request):
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        raise Http404("bad page number") from None
    if number < 1:
        raise Http404("no such page")
    return number


def _period_cards(period, number):
    """The rendered card list (and pager) of one page of a period."""
    entries = selectors.entries_in(period)
    page = None
    if period.kind != "day":
        # Weeks and months can hold hundreds of papers: page them (a day never needs it).
        paginator = Paginator(entries, PAGE_SIZE)
        if number > paginator.num_pages:
            raise Http404("no such page")
        page = paginator.page(number)
        entries = page.object_list
    elif number != 1:
        raise Http404("no such page")
    context = {
        "period": period,
        "entries": entries,
        "page": page,
        "rank_offset": page.start_index() - 1 if page else 0,
        "show_day": period.kind != "day",
    }
    return render_to_string("papers/_period_cards.html", context)


def _render_period(request, period, *, is_home=False):
    number = _page_number(request)
    previous, following, fingerprint = selectors.period_summary(period)
    neighbours = f"{previous.slug if previous else ''}:{following.slug if following else ''}"
    page_key = f"{period.kind}:{period.slug}:{number}:{is_home}:{neighbours}:{fingerprint}"
    return anonymous_page(
        request,
        page_key,
        lambda: _period_page(request, period, number, previous, following, fingerprint, is_home),
    )


def _period_page(request, period, number, previous, following, fingerprint, is_home):
    key = f"cards:{period.kind}:{period.slug}:{number}:{fingerprint}"
    cards = remember(key, lambda: _period_cards(period, number))
    tabs = [
        (kind, label, period.as_kind(kind), kind == period.kind)
        for kind, label in (("day", "Daily"), ("week", "Weekly"), ("month", "Monthly"))
    ]
    context = {
        # "Daily" in the site's header is the day pages; a week or a month is marked by
        # the period tabs instead.
        "nav": "daily" if period.kind == "day" else None,
        "tabs": tabs,
        "period": period,
        "cards": mark_safe(cards),  # rendered by our own template, escaped there
        "previous": previous,
        "next": following,
        "is_home": is_home,
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
    reference, first_day = selectors.trending_window()
    fingerprint = selectors.range_summary(first_day, reference.date()).fingerprint
    key = f"trending:{reference.isoformat()}:{fingerprint}"
    return anonymous_page(request, key, lambda: _trending_page(request, reference, first_day, key))


def _trending_page(request, reference, first_day, key):
    def render_cards():
        context = {
            "scored": selectors.trending(reference, first_day),
            "half_life": settings.TRENDING_HALF_LIFE_HOURS,
            "window_days": settings.TRENDING_WINDOW_DAYS,
        }
        return render_to_string("papers/_trending_cards.html", context)

    cards = remember(key, render_cards)
    context = {
        "nav": "trending",
        "reference": reference,
        "cards": mark_safe(cards),  # rendered by our own template, escaped there
        "half_life": settings.TRENDING_HALF_LIFE_HOURS,
        "window_days": settings.TRENDING_WINDOW_DAYS,
    }
    return render(request, "papers/trending.html", context)


def _unknown_paper(request, arxiv_id):
    """The site's own 404 for an arXiv id not in the catalogue, offering to submit it
    (which fetches it from arXiv) or to read it there. Rendered here rather than raised
    as Http404, so it is this page under DEBUG too, not Django's debug page. A hidden
    paper gets the plain 404: it must not be offered again."""
    hidden = Paper.objects.filter(arxiv_id=arxiv_id).exists()
    context = {"missing_arxiv_id": None if hidden else arxiv_id}
    return render(request, "404.html", context, status=404)


def paper(request, arxiv_id):
    if not is_arxiv_id(arxiv_id):
        raise Http404("not an arXiv id")
    # Staff see a hidden paper (with a notice and the button to show it again).
    papers = Paper.objects.all() if has_staff_powers(request.user) else Paper.objects.visible()
    paper = papers.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        return _unknown_paper(request, arxiv_id)
    features = list(paper.feed_entries.visible().order_by("day"))
    # The other apps' parts of the page come from their template tags (papers/paper.html):
    # the votes, the collections, the discussion and its count, similar papers.
    context = {
        "paper": paper,
        "features": features,
        "upvotes": sum(e.upvotes for e in features),
        # The discussion shows the local comments only; Hugging Face's (imported with the
        # feed) are counted apart and linked to.
        "comments_on_hf": sum(e.imported_comments for e in features),
    }
    return render(request, "papers/paper.html", context)
