"""Property-based checks with arbitrary Unicode (hypothesis): the importers' record
parsers, the comment renderer and the feed writers either do their job or refuse with
their documented error, and what they produce is text every output can hold.

The examples are bounded and derandomised (the "ci" profile below) so that `make test`
stays fast and a failure found in CI is found again on any machine.
"""

import datetime as dt
import json
import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import feedparser
import nh3
from defusedxml import ElementTree
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailypapers.discussion.services import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    URL_SCHEMES,
    render_markdown,
)
from dailypapers.feeds.feeds import FEED_CLASSES, FeedContent
from dailypapers.ingest import arxiv_api, oai
from dailypapers.ingest.formats.arxiv_jsonl import parse_arxiv_line
from dailypapers.ingest.formats.hf_daily import parse_hf_daily_file
from dailypapers.ingest.records import PaperRecord, RecordError
from dailypapers.papers.models import FeedEntry, Paper

settings.register_profile(
    "ci", max_examples=60, derandomize=True, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.load_profile("ci")

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# Any code point, surrogates and controls included, with the troublesome ones made likely.
SPECIAL = st.sampled_from(["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff",
                           "\u2028", "\u202e", "&", "<", "]]>", "\r\n", "𝔸", "é", " "])  # fmt: skip
TEXT = st.lists(st.one_of(st.characters(codec=None, categories=None), SPECIAL), max_size=40).map(
    "".join
)
LONG_TEXT = st.one_of(TEXT, st.builds(lambda t, n: t * n, TEXT, st.integers(1, 200)))
# Characters an XML document can carry (what a remote Atom or OAI-PMH response can hold).
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"
                                 + "".join(map(chr, range(1, 32)))), max_size=60)  # fmt: skip
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def assert_clean(record):
    """Every text a record carries can go into XML and PostgreSQL."""
    assert isinstance(record, PaperRecord)
    assert record.title and not NOT_XML.search(record.title)
    for name in PaperRecord.FIELDS:
        value = getattr(record, name)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str):
                assert not NOT_XML.search(v), (name, v)


# --- the importers -----------------------------------------------------------------------


@given(
    title=LONG_TEXT, summary=LONG_TEXT, comment=TEXT, authors=st.lists(TEXT, max_size=4),
    categories=st.one_of(TEXT, st.lists(TEXT, max_size=3)), extra=st.dictionaries(TEXT, JSON_VALUE, max_size=2),
    listing=st.booleans(),
)  # fmt: skip
def test_an_arxiv_line_is_a_clean_record_or_a_reason(
    title, summary, comment, authors, categories, extra, listing
):
    if listing:
        obj = {"id": "2501.00001", "title": title, "summary": summary, "authors": authors,
               "categories": categories, "comment": comment, "listing_date": "2025-01-10"}  # fmt: skip
    else:
        obj = {"id": "2501.00001", "title": title, "abstract": summary, "authors": ", ".join(authors),
               "categories": categories, "comments": comment, "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]}  # fmt: skip
    obj = {**extra, **obj}
    line = json.dumps(obj)  # \u escapes: NUL and lone surrogates survive into the parser
    try:
        record = parse_arxiv_line(line)
    except RecordError as exc:
        assert str(exc)
    else:
        assert_clean(record)


@given(line=st.one_of(TEXT, st.binary(max_size=80), st.builds(json.dumps, JSON_VALUE)))
def test_any_line_at_all_is_a_record_or_a_reason(line):
    try:
        record = parse_arxiv_line(line)
    except RecordError as exc:
        assert str(exc)
    else:
        assert_clean(record)


@given(
    entries=st.lists(
        st.fixed_dictionaries({
            "paper": st.fixed_dictionaries({
                "id": st.sampled_from(["2501.00001", "2501.00002", "hep-th/9901001", "bad"]),
                "title": LONG_TEXT, "summary": TEXT,
                "authors": st.lists(st.one_of(st.fixed_dictionaries({"name": TEXT}), JSON_VALUE), max_size=3),
                "ai_keywords": st.one_of(st.none(), st.lists(TEXT, max_size=3)),
                "ai_summary": st.one_of(st.none(), TEXT), "githubRepo": st.one_of(st.none(), TEXT),
                "submittedOnDailyBy": st.one_of(st.none(), st.fixed_dictionaries({"user": TEXT})),
            }),
            "numComments": st.one_of(st.integers(-5, 10**12), TEXT, st.none()),
            "submittedBy": st.one_of(st.none(), st.fixed_dictionaries({"name": TEXT})),
        }) | JSON_VALUE,
        max_size=4,
    )
)  # fmt: skip
def test_a_hugging_face_day_gives_clean_entries_or_notes(entries):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "2025-01-10.json"
        path.write_text(json.dumps(entries), encoding="utf-8")
        result = parse_hf_daily_file(path)
    if result.error:
        assert isinstance(result.error, str)
    for entry in result.entries:
        assert_clean(entry.paper)


ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<entry><id>http://arxiv.org/abs/2501.00001v2</id><title>{title}</title><summary>{summary}</summary>
<published>2025-01-09T00:00:00Z</published><updated>2025-01-10T00:00:00Z</updated>
<author><name>{author}</name></author><arxiv:comment>{comment}</arxiv:comment>
<arxiv:primary_category term="cs.LG"/><category term="{category}"/></entry></feed>"""


@given(title=XML_TEXT, summary=XML_TEXT, author=XML_TEXT, comment=XML_TEXT, category=XML_TEXT,
       reference=st.sampled_from(["", "&#1;", "&#0;", "&#xFFFE;", "&#xD800;", "&amp;", "&#x1D538;"]))  # fmt: skip
def test_an_atom_entry_is_a_clean_record_or_a_reason(
    title, summary, author, comment, category, reference
):
    document = ATOM.format(
        title=xml_escape(title) + reference, summary=xml_escape(summary), author=xml_escape(author),
        comment=xml_escape(comment), category=xml_escape(category, {'"': "&quot;"}),
    )  # fmt: skip
    try:
        records, problems = arxiv_api.parse_feed(document.encode("utf-8"))
    except arxiv_api.ArxivApiError as exc:
        assert str(exc)  # a character reference XML forbids: the whole response is refused
        return
    for record in records:
        assert_clean(record)
    assert all(reason for _, reason in problems)


OAI_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record>
<header><identifier>oai:arXiv.org:2501.00001</identifier><datestamp>2025-01-10</datestamp></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>2501.00001</id><created>2025-01-09</created>
<authors><author><keyname>{author}</keyname><forenames>{author}</forenames></author></authors>
<title>{title}</title><categories>{category}</categories><comments>{comment}</comments>
<abstract>{summary}</abstract></arXiv></metadata></record></ListRecords></OAI-PMH>"""


@given(title=XML_TEXT, summary=XML_TEXT, author=XML_TEXT, comment=XML_TEXT, category=XML_TEXT)
def test_an_oai_record_is_a_clean_record_or_a_reason(title, summary, author, comment, category):
    document = OAI_PAGE.format(
        title=xml_escape(title), summary=xml_escape(summary), author=xml_escape(author),
        comment=xml_escape(comment), category=xml_escape(category),
    )  # fmt: skip
    try:
        page = oai.parse_page(document.encode("utf-8"))
    except (oai.HarvestError, oai.OAIError) as exc:
        assert str(exc)
        return
    for record in page.records:
        assert_clean(record)
    assert all(reason for _, reason in page.skipped)


# --- the comment renderer ----------------------------------------------------------------

MARKDOWN_BITS = st.sampled_from([
    "[x](javascript:alert(1))", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "**b**", "`c`", "> q", "- l", "[a](https://example.org)", "\n\n", "<a href='data:x'>x</a>",
    "&lt;", "&#0;", "\x00", "\ud800", "~~~\ncode\n~~~", "* " * 30,
])  # fmt: skip


@given(st.lists(st.one_of(TEXT, MARKDOWN_BITS), max_size=12).map("".join))
def test_rendered_comments_are_sanitised_html_xml_can_hold(text):
    html = render_markdown(text)
    assert not NOT_XML.search(html.replace("\ufffd", ""))
    # Cleaning the output again changes nothing: nothing outside the allow-list was emitted.
    again = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      link_rel=LINK_REL, strip_comments=True)  # fmt: skip
    assert again == html
    lowered = html.lower()
    assert "<script" not in lowered
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", lowered)
    assert not re.search(r"href=\"(?!https?:|mailto:)", lowered)
    for tag in re.findall(r"<([a-z0-9]+)", lowered):
        assert tag in ALLOWED_TAGS, tag


# --- the feed writers ----------------------------------------------------------------------


def entry_with(title, abstract, authors, categories, summary):
    paper = Paper(arxiv_id="2501.00001", title=title, abstract=abstract, authors=authors,
                  categories=categories, ai_summary=summary)  # fmt: skip
    stamp = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)
    return FeedEntry(paper=paper, day=stamp.date(), submitted_at=stamp)


@given(
    feed_title=TEXT, title=LONG_TEXT, abstract=LONG_TEXT, summary=TEXT,
    authors=st.lists(TEXT, max_size=12), categories=st.lists(TEXT, max_size=3), fmt=st.sampled_from(["rss", "atom"]),
)  # fmt: skip
def test_feeds_are_well_formed_whatever_their_text(
    feed_title, title, abstract, summary, authors, categories, fmt
):
    content = FeedContent(
        title=feed_title, description=feed_title, link="http://testserver/", url="http://testserver/feeds/x",
        entries=[entry_with(title, abstract, authors, categories, summary)],
    )  # fmt: skip
    feed = FEED_CLASSES[fmt].get_feed(content, RequestFactory().get("/feeds/x"))
    document = feed.writeString("utf-8").encode("utf-8", "surrogatepass")
    ElementTree.fromstring(document)  # well-formed XML, or this raises
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.bozo_exception
    assert len(parsed.entries) == 1
