"""HTTP manners of the API: conditional GET, caching headers, JSON errors, CORS.

Every read the API answers is public and the same for every reader, so it carries an ETag (and
a Last-Modified where we know one), `Cache-Control: public`, and answers a matching
If-None-Match / If-Modified-Since with 304.
"""

import json
import re

from django.http import HttpResponse, JsonResponse

from dailypapers.core.pagecache import conditional, digest, remember

# Lists change with every vote, so clients and proxies recheck them within a minute (a
# 304 costs us one indexed query); a paper changes rarely.
LIST_MAX_AGE = 60
PAPER_MAX_AGE = 300


class ApiError(Exception):
    """A client error: answered with {"error": message} and `status`."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def error_response(message, status):
    response = JsonResponse({"error": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _etag(text):
    return f'"{digest(text)}"'


def cached_list(request, key, last_modified, build, next_url):
    """A JSON list cached under `key`, which must name everything the body depends on
    (a fingerprint of the rows: dailypapers/papers/selectors.py range_summary).

    The ETag comes from the key alone, so a 304 is answered before anything is built.
    `build()` returns (entries as dicts, whether a next page exists); `next_url()` makes
    the Link target for this request's host.
    """

    etag = _etag(key)

    def encoded():
        data, has_next = build()
        return json.dumps(data, ensure_ascii=False).encode(), has_next

    def respond():
        # Under the ETag: the key itself can be long (a submitter's name).
        body, has_next = remember("api:" + etag.strip('"'), encoded)
        response = HttpResponse(body, content_type="application/json")
        if has_next:
            response["Link"] = f'<{next_url()}>; rel="next"'
        return response

    return conditional(request, etag, respond, max_age=LIST_MAX_AGE, last_modified=last_modified)


def built_response(
    request, body, content_type, last_modified=None, link=None, max_age=PAPER_MAX_AGE
):
    """A response whose body is already built (a paper, a catalogue page): the ETag is a
    hash of the body."""

    def respond():
        response = HttpResponse(body, content_type=content_type)
        if link:
            response["Link"] = f'<{link}>; rel="next"'
        return response

    text = body if isinstance(body, str) else body.decode()
    etag = _etag(text + (link or ""))
    return conditional(request, etag, respond, max_age=max_age, last_modified=last_modified)


# --- CORS ---------------------------------------------------------------------------------
# The API's reads are public and its writes take a bearer token, never a cookie, so every
# origin may read it: `Access-Control-Allow-Origin: *` (preflights allow reads only). A
# dozen lines scoped to the API paths do that; django-cors-headers would add a dependency
# and per-origin settings we don't need.
CORS_PATHS = re.compile(r"^/(?:api/|papers/.+\.md$)")


class CorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not CORS_PATHS.match(request.path):
            return self.get_response(request)
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            # Preflight (e.g. a browser sending If-None-Match): allow reads only.
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = request.META.get(
                "HTTP_ACCESS_CONTROL_REQUEST_HEADERS", ""
            )[:1000]
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        # Scripts may read the paging and validation headers.
        response["Access-Control-Expose-Headers"] = "Link, ETag, Last-Modified"
        return response


# --- Errors that do not come from an endpoint -----------------------------------------
class JsonErrorsMiddleware:
    """Under /api/ every error is JSON, also those answered before an endpoint runs
    (Django Ninja's 405 for a method a route does not take, Django's 400s and 413s)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if response.status_code == 405:
            allowed = response.get("Allow", "")
            message = f"{request.method} is not allowed here" + (
                f" (allowed: {allowed})" if allowed else ""
            )
        else:
            message = response.reason_phrase or "the request was refused"
        replaced = error_response(message, response.status_code)
        if "Allow" in response:
            replaced["Allow"] = response["Allow"]
        return replaced
