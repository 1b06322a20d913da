"""What the site builds once per fingerprint of its data: pages, page fragments, API
bodies, feeds; and the ETags that let a client keep its copy.

A view first computes a fingerprint of the rows it shows (one indexed query:
papers/selectors.py range_summary), then asks here for what was built under it. A vote,
an edit or a hidden paper changes the fingerprint, so the next load builds afresh and the
ETag changes with it: nothing is ever invalidated by hand.

- `remember(key, build)`: a fragment or body (the feed pages' cards, the API's lists, the
  RSS and Atom documents, similar papers).
- `anonymous_page(request, key, render)`: a whole page, for anonymous readers. Only pages
  that are the same for every anonymous reader may be cached. A page whose rendering
  asked for a CSRF token (a form) is never stored, since the token belongs to one
  visitor; logged-in users always get a fresh page.
- `conditional(request, etag, respond, …)`: 304 for a client whose copy is current, else
  `respond()`, with the ETag and caching headers (the API and the feeds).
"""

import hashlib

from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.connection import ConnectionProxy
from django.utils.http import http_date

from dailypapers.core import demo

# Per-process memory (settings.CACHES "pages"): keyed by fingerprints of their rows,
# these values need no sharing between processes, and reading memory is faster than the
# shared cache's database round trip.
cache = ConnectionProxy(caches, "pages")

PAGE_CACHE_SECONDS = 24 * 3600  # keys change with the data; expiry only frees memory


def digest(text):
    """A short hash of `text`: a cache key or ETag for a fingerprint that can be long."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def remember(key, build, seconds=PAGE_CACHE_SECONDS):
    """The value cached under `key` (which names everything it depends on), or
    `build()`'s, stored. `build()` must not return None."""
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value


def conditional(request, etag, respond, *, max_age, last_modified=None):
    """`respond()`'s response, or 304 when the client's copy matches `etag` (or, given
    `last_modified`, is as new); public for `max_age` seconds either way."""
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = respond()
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def anonymous_page(request, key, render):
    """The cached response for `key`, or `render()`'s, stored when it is shareable."""
    shareable = (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not _has_messages(request)
    )
    if not shareable:
        return render()
    # Every page says when the site shows the demo data (base.html): a page cached then
    # is not served once a real import has ended it.
    key = f"page:{key}" + (":demo" if demo.banner() else "")
    cached = cache.get(key)
    if cached is not None:
        content, content_type = cached
        return HttpResponse(content, content_type=content_type)
    response = render()
    if response.status_code == 200 and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        cache.set(key, (response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
    return response


def _has_messages(request):
    # A flash message ("You have signed out.") is one visitor's: a page showing it is
    # neither served from nor stored in the shared cache.
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0
