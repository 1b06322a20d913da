"""Field coercers shared by every source format (formats/, oai.py, arxiv_api.py).

Each takes a value as the source gave it (text from XML or JSON, sometimes something else)
and returns it in the form PaperRecord holds, or raises RecordError saying why the record
cannot be used (the reason goes in the import's summary). None in means "the source does
not say" and, where a field may be absent, None out.
"""

import datetime as dt
from email.utils import parsedate_to_datetime

from dailypapers.ingest.records import RecordError
from dailypapers.lib.arxiv_ids import InvalidArxivId, is_arxiv_category, parse_arxiv_id
from dailypapers.lib.text import collapse, xml_safe

MAX_INT = 2_147_483_647  # the largest PositiveIntegerField value on every database


def text(value):
    """Text as given, without what XML cannot hold, stripped; RecordError for a non-string."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"expected text, got {type(value).__name__}")
    return xml_safe(value).strip()


def title(value):
    """One line of text; a record without one is refused ("missing title")."""
    result = collapse(text(value))
    if not result:
        raise RecordError("missing title")
    return result


def split_authors(value):
    """`A, B and C` → [A, B, C]: arXiv's authors as one string (arXivRaw, the snapshot's
    `authors` when authors_parsed is missing)."""
    value = collapse(value).replace(" and ", ", ")
    return [name.strip() for name in value.split(",") if name.strip()]


def arxiv_id(value):
    """(base id, version or None) of an id or abs/pdf URL; RecordError when it is none."""
    try:
        return parse_arxiv_id(value)
    except InvalidArxivId as exc:
        raise RecordError(str(exc)) from None


def date(value):
    """A day from `YYYY-MM-DD…` (anything after the tenth character is ignored)."""
    if not value:
        return None
    day = value.strip() if isinstance(value, str) else str(value)
    try:
        return dt.date.fromisoformat(day[:10])
    except ValueError:
        raise RecordError(f"bad date {value!r}") from None


def timestamp(value):
    """ISO 8601 (HF's `2026-08-21T00:00:00.000Z`) or RFC 2822 (arXiv versions) to aware UTC."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"bad timestamp {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            raise RecordError(f"bad timestamp {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def count(value, limit=MAX_INT):
    """A non-negative whole number up to `limit` (a JSON number or its text)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RecordError(f"expected a number, got {value!r}")
    try:
        number = int(value)
    except (ValueError, OverflowError):  # OverflowError: JSON's Infinity
        raise RecordError(f"expected a number, got {value!r}") from None
    if number < 0:
        raise RecordError(f"negative count {number}")
    if number > limit:
        raise RecordError(f"number too large: {number}")
    return number


def url(value):
    """An http(s) link, at most 500 characters; anything else is dropped (None), not refused."""
    value = text(value)
    if not value:
        return value
    if not value.startswith(("http://", "https://")):
        return None  # not a link we can show; ignore rather than store
    return value[:500]


def categories(value):
    """arXiv categories from a space-separated string or a list; other words are dropped."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        raise RecordError("categories is not a list")
    return [c.strip() for c in value if isinstance(c, str) and is_arxiv_category(c.strip())]
