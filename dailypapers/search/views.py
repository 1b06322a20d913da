"""The search page: GET /search?q=&mode=&from=&to=&category=&page=."""

import datetime as dt

from django.shortcuts import render

from dailypapers.lib.arxiv_ids import is_arxiv_category
from dailypapers.lib.searchquery import MAX_QUERY_CHARS
from dailypapers.search import service
from dailypapers.search.keyword import Filters

PER_PAGE = 20
MAX_PAGE = service.MAX_DEPTH // PER_PAGE


def _date(text, problems, label):
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"“{text[:40]}” is not a date ({label}: use YYYY-MM-DD); ignored.")
        return None


def search_form(params):
    """(query text, mode, Filters, page, [problems]) from request parameters; bad values
    are ignored with a note, never an error. A query over MAX_QUERY_CHARS is cut there
    with a note (the page then answers 400 and runs no search)."""
    problems = []
    text = params.get("q", "")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        problems.append(
            f"Search text can be at most {MAX_QUERY_CHARS} characters: shorten it "
            f"(the first {MAX_QUERY_CHARS} are in the box above)."
        )
    mode = params.get("mode", "hybrid")
    if mode not in service.MODES:
        mode = "hybrid"
    date_from = _date(params.get("from", ""), problems, "from")
    date_to = _date(params.get("to", ""), problems, "to")
    if date_from and date_to and date_from > date_to:
        problems.append("The “from” date is after the “to” date; they were swapped.")
        date_from, date_to = date_to, date_from
    category = params.get("category", "").strip()
    if category and not is_arxiv_category(category):
        problems.append(f"“{category[:40]}” is not an arXiv category (e.g. cs.CL); ignored.")
        category = ""
    try:
        page = min(max(int(params.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    return text, mode, Filters(date_from, date_to, category), page, problems


def search(request):
    text, mode, filters, page, problems = search_form(request.GET)
    too_long = len(request.GET.get("q", "")) > MAX_QUERY_CHARS
    results = None
    if text.strip() and not too_long:
        results = service.search(
            text, mode=mode, filters=filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
        )
    params = request.GET.copy()
    params.pop("page", None)
    if "q" in params:
        params["q"] = text  # the links to other pages echo no more than the cap
    context = {
        "nav": "search",
        "q": text,
        "max_query_chars": MAX_QUERY_CHARS,
        "mode": mode,
        "modes": service.MODES,
        "filters": filters,
        "page": page,
        "problems": problems,
        "results": results,
        "semantic_on": service.semantic_available(),
        "base_query": params.urlencode(),
        "first_rank": (page - 1) * PER_PAGE + 1,
        "last_rank": (page - 1) * PER_PAGE + (len(results.hits) if results else 0),
    }
    response = render(request, "search/search.html", context, status=400 if too_long else 200)
    response["Cache-Control"] = "no-cache"
    return response
