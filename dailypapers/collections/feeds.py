"""A public collection's RSS feed: the site's paper feed (dailypapers/feeds/feeds.py)
with collection items for entries. An item is a paper, dated when it was added."""

from django.utils.feedgenerator import get_tag_uri
from django.utils.html import escape
from django.utils.text import Truncator

from dailypapers.feeds.feeds import EXCERPT_WORDS, RssPapersFeed

FEED_ITEMS = 50  # the newest added; readers keep what they have already seen


class CollectionFeed(RssPapersFeed):
    # Entries are CollectionItem rows (paper selected): title, link, authors and
    # categories come from item.paper exactly as for feed entries.

    def item_guid(self, item):
        # Removed and added again later: a new item for the reader.
        return get_tag_uri(self.item_link(item), item.added_at)

    def item_description(self, item):
        paper = item.paper
        text = paper.ai_summary or Truncator(paper.abstract).words(EXCERPT_WORDS)
        if item.note:
            text = f"Note: {item.note}\n\n{text}"
        return escape(text)

    def item_pubdate(self, item):
        return item.added_at

    def item_updateddate(self, item):
        return item.added_at


collection_feed = CollectionFeed()
