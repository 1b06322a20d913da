# Routes of the RSS/Atom feeds (/feeds/…). The extension picks the format; without one a
# feed is RSS (/feeds/category/cs.CL). Categories are validated in the view (malformed
# ones are 404s), so any text matches here: even a stray primary category such as `a/b`
# reverses, and its paper page links to a 404 rather than failing.
from django.urls import re_path

from dailypapers.feeds import views

app_name = "feeds"

_FORMAT = r"\.(?P<fmt>rss|atom)"
_RSS = {"fmt": "rss"}

urlpatterns = [
    re_path(rf"^daily{_FORMAT}$", views.daily, name="daily"),
    re_path(r"^daily$", views.daily, _RSS),
    re_path(rf"^trending{_FORMAT}$", views.trending, name="trending"),
    re_path(r"^trending$", views.trending, _RSS),
    re_path(rf"^category/(?P<category>.+){_FORMAT}$", views.category, name="category"),
    re_path(r"^category/(?P<category>.+)$", views.category, _RSS),
]
