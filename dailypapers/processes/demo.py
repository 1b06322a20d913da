"""When `dailypapers load-demo` loads the bundled demo data. The record of it (the
DemoData row, the banner every page shows) is site-wide: dailypapers/core/demo.py."""

from dailypapers.core import demo
from dailypapers.papers.models import FeedEntry, Paper


def should_load(force=False):
    """(load?, reason). The demo goes into an empty catalogue, completes its own
    interrupted load, and otherwise only on request."""
    if force:
        return True, "requested with --force"
    row = demo.state()
    if row is not None and not row.complete:
        return True, "completing an interrupted demo load"
    if row is not None:
        return False, "the demo data is already loaded"
    if Paper.objects.exists() or FeedEntry.objects.exists():
        return (
            False,
            "the catalogue already holds papers (load-demo --force adds the demo days anyway)",
        )
    return True, "the catalogue is empty"
