from django.urls import path, re_path

from dailypapers.lib.arxiv_ids import URL_PATTERN
from dailypapers.papers import views

app_name = "papers"

urlpatterns = [
    path("", views.home, name="home"),
    path("papers/trending", views.trending, name="trending"),
    # The period text is validated by dailypapers.lib.periods (bad dates are 404s).
    re_path(r"^papers/date/(?P<value>[^/]+)$", views.period, {"kind": "day"}, name="day"),
    re_path(r"^papers/week/(?P<value>[^/]+)$", views.period, {"kind": "week"}, name="week"),
    re_path(r"^papers/month/(?P<value>[^/]+)$", views.period, {"kind": "month"}, name="month"),
    re_path(rf"^papers/{URL_PATTERN}$", views.paper, name="paper"),
]
