"""The JSON API: one NinjaAPI with its error handlers, and every router mounted here, in
the order routes must be tried. The catalogue's reads are in api/catalogue.py, the
community's votes and submissions in api/community.py, the discussion in
api/discussion.py, a reader's own ranking and signals in api/foryou.py; each calls
its app's services. GET /api/papers/{id}[/similar] take any path under /api/papers/
(`path:`, for old-style ids with a slash), so they come last, after routes such as
/api/papers/submit and /api/papers/{id}/upvote, which would never be reached otherwise.

Every error is `{"error": "…"}` (api/http.py's JsonErrorsMiddleware covers those answered
before a route runs).
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from dailypapers.accounts.rules import Refused
from dailypapers.api import catalogue, community, discussion, foryou
from dailypapers.api.http import ApiError, error_response
from dailypapers.core.ratelimits import Limited, too_many

api = NinjaAPI(
    title="dailypapers API",
    version="1.0",
    description=(
        "Compatible with Hugging Face's papers API: the responses have the shape of "
        "`https://huggingface.co/api/daily_papers`, and `huggingface_hub`'s "
        "`HfApi(endpoint=…)` works against it. Reading is public; submitting, voting and "
        "commenting take an API token (`Authorization: Bearer dp_…`, created on /account/). "
        'Errors are `{"error": "…"}`.'
    ),
    urls_namespace="api",
)


@api.exception_handler(ApiError)
def _api_error(request, exc):
    return error_response(exc.message, exc.status)


@api.exception_handler(Refused)
def _refused(request, exc):
    # A service said no (a suspended account, a paper too old, someone else's comment):
    # its message, with the status it names.
    return error_response(exc.message, exc.status)


@api.exception_handler(Limited)
def _rate_limited(request, exc):
    # The community's write endpoints count against the site's rate limits
    # (dailypapers/core/ratelimits.py): the same 429 and message as the pages.
    return too_many(request, exc.group)


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    problems = []
    for error in exc.errors:
        name = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        problems.append(f"{name}: {error.get('msg', 'invalid')}")
    return error_response("; ".join(problems) or "bad request", 400)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(str(exc) or "not found", 404)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return error_response(str(exc), exc.status_code)


api.add_router("", catalogue.router)
api.add_router("", community.router)
api.add_router("", discussion.router)
api.add_router("", foryou.router)
api.add_router("", catalogue.paper_routes)
