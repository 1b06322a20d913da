# Routes of the JSON API (/api/…) and the Markdown view of a paper (/papers/<id>.md).
# Included before the papers app's URLs (dailypapers/urls.py), so `<id>.md` is ours.
from django.urls import path, re_path

from dailypapers.api import catalogue
from dailypapers.api.main import api
from dailypapers.lib.arxiv_ids import URL_PATTERN

urlpatterns = [
    # Before ninja's own root view, which answers /api/ with an HTML 404 (or, in DEBUG, a redirect).
    re_path(r"^api/?$", catalogue.not_found),
    path("api/", api.urls),
    re_path(rf"^papers/{URL_PATTERN}\.md$", catalogue.paper_markdown, name="paper-markdown"),
    # Anything else under /api/ is a JSON 404, not the site's HTML page (newlines included:
    # ninja's `path:` converter stops at them).
    re_path(r"^api(?:/[\s\S]*)?\Z", catalogue.not_found),
]
