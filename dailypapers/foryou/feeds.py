"""A reader's For you as RSS or Atom at a secret address (feed readers cannot log in):
the site's paper feed (dailypapers/feeds/feeds.py) with picks for entries. An item is
a paper, dated on its listing day, its reasons before the abstract."""

import datetime as dt

from django.utils import timezone
from django.utils.feedgenerator import get_tag_uri
from django.utils.html import escape
from django.utils.text import Truncator

from dailypapers.feeds.feeds import EXCERPT_WORDS, RssPapersFeed, XmlSafeAtom

FEED_DAYS = 7
FEED_ITEMS = 50


class PicksFeed(RssPapersFeed):
    # Entries are selectors.Pick (paper, score, reasons).

    def item_guid(self, pick):
        return get_tag_uri(self.item_link(pick), self._day(pick))

    def item_description(self, pick):
        paper = pick.paper
        text = Truncator(paper.ai_summary or paper.abstract).words(EXCERPT_WORDS)
        if pick.reasons:
            text = "Why: " + "; ".join(pick.reasons) + ".\n\n" + text
        return escape(text)

    def _day(self, pick):
        paper = pick.paper
        return paper.announced_on or (
            paper.published.date() if paper.published else dt.date.today()
        )

    def item_pubdate(self, pick):
        return timezone.make_aware(dt.datetime.combine(self._day(pick), dt.time()))

    item_updateddate = item_pubdate


class AtomPicksFeed(PicksFeed):
    feed_type = XmlSafeAtom


PICK_FEEDS = {"rss": PicksFeed(), "atom": AtomPicksFeed()}
