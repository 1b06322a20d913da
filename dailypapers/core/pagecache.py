"""Whole-page caching for anonymous readers, keyed by the data a page shows.

The feed pages compute a fingerprint of their rows first (one indexed query), then ask
here for the HTML cached under it. A vote, an edit or a hidden paper changes the
fingerprint, so the next load renders afresh: nothing is ever invalidated by hand.

Only pages that are the same for every anonymous reader may be cached. A page whose
rendering asked for a CSRF token (a form) is never stored, since the token belongs to
one visitor; logged-in users always get a fresh page.
"""

from django.core.cache import caches
from django.http import HttpResponse
from django.utils.connection import ConnectionProxy

from dailypapers.core import demo

# Per-process memory (settings.CACHES "pages"), also used for the page fragments and
# bodies cached by papers/views.py, feeds/views.py, api/http.py and search/service.py:
# keyed by fingerprints of their rows, they need no sharing between processes, and
# reading memory is faster than the shared cache's database round trip.
cache = ConnectionProxy(caches, "pages")

PAGE_CACHE_SECONDS = 24 * 3600  # keys change with the data; expiry only frees memory


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
