"""The RSS 2.0 and Atom documents, built by Django's syndication framework.

A feed is rendered from a FeedContent the view assembles (the feed's texts and its
entries, already read), so these classes hold no state between requests and run no
queries of their own.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.templatetags.static import static
from django.utils.feedgenerator import (
    Atom1Feed,
    Rss201rev2Feed,
    SimplerXMLGenerator,
    Stylesheet,
    get_tag_uri,
)
from django.utils.html import escape
from django.utils.text import Truncator

from dailypapers.lib.text import xml_safe

AUTHORS_SHOWN = 10  # some papers list hundreds; readers show one line
EXCERPT_WORDS = 100
# Shown by browsers that open a feed: a readable page with the feed's address (feed
# readers ignore it). Browsers apply it only to a document served as XML, see
# content_type_for.
STYLESHEET = "feeds/feed.xsl"
BROWSER_CONTENT_TYPE = "application/xml; charset=utf-8"


def absolute(path):
    # SITE_URL, not the request's Host: the feed is cached and shared by every reader.
    return settings.SITE_URL + path


@dataclass
class FeedContent:
    title: str
    description: str
    link: str  # absolute address of the HTML page the feed mirrors
    url: str  # absolute address of the feed itself
    entries: list = field(default_factory=list)  # FeedEntry rows, paper selected


def _xml_safe_values(values):
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = xml_safe(value)
        elif isinstance(value, (list, tuple)):
            values[key] = type(value)(xml_safe(v) if isinstance(v, str) else v for v in value)


class XmlSafeFeedMixin:
    """Removes what XML cannot hold from every text of the document before it is written.

    Django's XML writer refuses control characters with an exception (a 500 for every
    reader of the feed); the importers and forms already clean text on the way in, and
    this keeps rows written before they did (or by hand) from taking a feed down."""

    def write(self, outfile, encoding):
        _xml_safe_values(self.feed)
        for item in self.items:
            _xml_safe_values(item)
        super().write(outfile, encoding)


class XmlSafeRss(XmlSafeFeedMixin, Rss201rev2Feed):
    pass


class XmlSafeAtom(XmlSafeFeedMixin, Atom1Feed):
    def write(self, outfile, encoding):
        # Django's Atom writer has no stylesheets (its RSS writer does): the same steps
        # as Atom1Feed.write, with the xml-stylesheet instructions before the root element.
        _xml_safe_values(self.feed)
        for item in self.items:
            _xml_safe_values(item)
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


def stylesheets():
    return [Stylesheet(static(STYLESHEET), mimetype="text/xsl")]


def content_type_for(request, feed_content_type):
    """The Content-Type to answer a feed with: its own (application/rss+xml, …) for feed
    readers, plain XML for a browser opening it as a page (it asks for text/html), since
    browsers show an rss+xml document as raw text instead of applying its stylesheet.
    The body is the same; callers add `Vary: Accept`."""
    if "text/html" in request.headers.get("Accept", ""):
        return BROWSER_CONTENT_TYPE
    return feed_content_type


class RssPapersFeed(Feed):
    feed_type = XmlSafeRss
    language = "en"
    # The guid is a tag URI of (paper, feed day), not the page address: a paper featured
    # again on a later day is a new item.
    item_guid_is_permalink = False

    def title(self, content):
        return content.title

    def stylesheets(self, content):
        return stylesheets()

    def subtitle(self, content):
        return content.description

    def description(self, content):
        return content.description

    def link(self, content):
        return content.link

    def feed_url(self, content):
        return content.url

    def feed_guid(self, content):
        # Atom's feed id; Django would use the page link, shared by several feeds.
        return content.url

    def items(self, content):
        return content.entries

    def item_title(self, entry):
        # Plain text: the XML writer escapes it once (Django's default escapes twice).
        return entry.paper.title

    def item_link(self, entry):
        return absolute(entry.paper.get_absolute_url())

    def item_guid(self, entry):
        return get_tag_uri(self.item_link(entry), entry.day)

    def item_description(self, entry):
        # Readers treat descriptions as HTML (Atom: type="html"); the text is escaped so
        # that `a < b` in an abstract stays text.
        paper = entry.paper
        text = paper.ai_summary or Truncator(paper.abstract).words(EXCERPT_WORDS)
        return escape(text)

    def item_author_name(self, entry):
        authors = entry.paper.authors
        if not authors:
            return None
        names = ", ".join(authors[:AUTHORS_SHOWN])
        return names + " et al." if len(authors) > AUTHORS_SHOWN else names

    def item_pubdate(self, entry):
        return entry.submitted_at

    def item_updateddate(self, entry):
        # Atom requires <updated>. Votes are not edits a reader should be told about.
        return entry.submitted_at

    def item_categories(self, entry):
        return entry.paper.categories


class AtomPapersFeed(RssPapersFeed):
    feed_type = XmlSafeAtom


FEED_CLASSES = {"rss": RssPapersFeed(), "atom": AtomPapersFeed()}
