from django.conf import settings
from django.db import DatabaseError

from dailypapers.core import demo


def site(request):
    return {"SITE_URL": settings.SITE_URL, "demo_data": _demo_banner()}


def _demo_banner():
    try:
        return demo.banner()
    except DatabaseError:  # not migrated yet: nothing to announce
        return None
