"""Parsers that turn source files into plain records. No Django models here.

A PaperRecord carries what one source says about a paper; a field left as None means
"this source does not say", and the loader leaves the stored value alone.
"""

import ast
import datetime as dt
import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from dailypapers.lib.arxiv_ids import InvalidArxivId, is_arxiv_category, parse_arxiv_id
from dailypapers.lib.text import clean_abstract, collapse, xml_safe


class RecordError(ValueError):
    """A record that cannot be used; the message says why (it goes in the summary)."""


@dataclass
class PaperRecord:
    arxiv_id: str
    title: str
    version: int | None = None
    abstract: str | None = None
    authors: list | None = None
    categories: list | None = None
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    announced_on: dt.date | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_summary: str | None = None
    ai_keywords: list | None = None
    source: str = "arxiv"  # see SOURCE_RANK

    # Fields copied onto Paper as they are when not None.
    FIELDS = (
        "version", "title", "abstract", "authors", "categories", "published", "updated",
        "announced_on", "comment", "journal_ref", "doi", "license", "github_repo",
        "github_stars", "project_page", "ai_summary", "ai_keywords",
    )  # fmt: skip

    def __post_init__(self):
        # Every importer builds its records here, so this is where text that XML (the
        # feeds) and PostgreSQL (NUL) cannot hold is removed, whatever the source said.
        for name in ("title", "abstract", "comment", "journal_ref", "doi", "license",
                     "github_repo", "project_page", "ai_summary"):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, xml_safe(value).strip())
        for name in ("authors", "categories", "ai_keywords"):
            value = getattr(self, name)
            if isinstance(value, list):
                cleaned = (xml_safe(v).strip() if isinstance(v, str) else v for v in value)
                setattr(self, name, [v for v in cleaned if v])
        if not self.title:
            raise RecordError("missing title")


# A source of higher rank owns a paper's core metadata (CORE_FIELDS): a lower-ranked
# source fills them only while nothing better has.
SOURCE_RANK = {"": 0, "hf": 1, "arxiv": 2}
CORE_FIELDS = ("title", "abstract", "authors", "published")


@dataclass
class EntryRecord:
    """A paper featured on a feed day, with the paper's own record."""

    paper: PaperRecord
    day: dt.date
    submitted_at: dt.datetime
    upvotes: int = 0
    num_comments: int = 0
    position: int = 0
    # No submitter: the source's accounts (a Hugging Face username in `submittedBy`) are
    # dropped on import, so that no imported name reads as, or collides with, a local
    # account (FeedEntry.submitter_name is for local submissions only).


@dataclass
class FileResult:
    """What became of one source file: its entries, or why it was skipped."""

    path: Path
    entries: list = field(default_factory=list)
    error: str | None = None
    notes: list = field(default_factory=list)  # e.g. "Python-repr strings", skipped entries


# --- helpers ------------------------------------------------------------------------------


def _is_gzip(path):
    with open(path, "rb") as probe:
        return probe.read(2) == b"\x1f\x8b"


def open_text(path):
    """Open a plain or gzip file for text reading, chosen by its magic bytes."""
    path = Path(path)
    if _is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def open_bytes(path):
    """Open a plain or gzip file for reading bytes (JSONL: each line is decoded alone, so
    one line that is not UTF-8 is skipped instead of ending the file)."""
    path = Path(path)
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")


def parse_timestamp(value):
    """ISO 8601 (HF's `2026-08-21T00:00:00.000Z`) or RFC 2822 (arXiv versions) to aware UTC."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"bad timestamp {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            raise RecordError(f"bad timestamp {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _date(value):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordError(f"bad date {value!r}") from None


def _text(value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"expected text, got {type(value).__name__}")
    return xml_safe(value).strip()


MAX_INT = 2_147_483_647  # the largest PositiveIntegerField value on every database


def _int(value, limit=MAX_INT):
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


def _url(value):
    value = _text(value)
    if not value:
        return value
    if not value.startswith(("http://", "https://")):
        return None  # not a link we can show; ignore rather than store
    return value[:500]


def _arxiv_id(value):
    try:
        return parse_arxiv_id(value)
    except InvalidArxivId as exc:
        raise RecordError(str(exc)) from None


def _title(value):
    title = collapse(_text(value))
    if not title:
        raise RecordError("missing title")
    return title


# --- Hugging Face daily_papers ------------------------------------------------------------

_DAY_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
MAX_REPR_CHARS = 2_000_000  # a Python-repr entry longer than this is refused unread


def _hf_entry(raw, day, position):
    if not isinstance(raw, dict):
        raise RecordError(f"entry is a {type(raw).__name__}, not an object")
    paper = raw.get("paper")
    if not isinstance(paper, dict):
        raise RecordError("entry has no paper object")
    base_id, version = _arxiv_id(paper.get("id"))
    authors = paper.get("authors") or []
    if not isinstance(authors, list):
        raise RecordError("authors is not a list")
    # Names only: HF user accounts, avatars and claim statuses are dropped here.
    names = [
        collapse(_text(a.get("name"))) for a in authors if isinstance(a, dict) and a.get("name")
    ]
    keywords = paper.get("ai_keywords")
    if keywords is not None:
        if not isinstance(keywords, list):
            raise RecordError("ai_keywords is not a list")
        keywords = [collapse(xml_safe(str(k))) for k in keywords if str(k).strip()]
    summary = paper.get("summary", raw.get("summary"))
    record = PaperRecord(
        arxiv_id=base_id,
        version=version,
        title=_title(paper.get("title") or raw.get("title")),
        abstract=clean_abstract(_text(summary)) if summary is not None else None,
        authors=names,
        published=parse_timestamp(paper.get("publishedAt")),
        github_repo=_url(paper.get("githubRepo")),
        github_stars=_int(paper.get("githubStars")),
        project_page=_url(paper.get("projectPage")),
        ai_summary=_text(paper.get("ai_summary")),
        ai_keywords=keywords,
        source="hf",
    )
    submitted = parse_timestamp(paper.get("submittedOnDailyAt"))
    if submitted is None:
        submitted = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return EntryRecord(
        paper=record,
        day=day,
        submitted_at=submitted,
        upvotes=_int(paper.get("upvotes")) or 0,
        num_comments=_int(raw.get("numComments")) or 0,
        position=position,
    )


def _decode_hf_items(data, result):
    """The list of entry dicts in an HF response, coping with the known quirks."""
    if isinstance(data, dict):
        # 2025-01-10.json: {status, date, count, data: [...]}
        if isinstance(data.get("data"), list):
            result.notes.append("wrapped list")
            data = data["data"]
        else:
            raise RecordError("an object without a 'data' list")
    if not isinstance(data, list):
        raise RecordError(f"top level is a {type(data).__name__}, not a list")
    items = []
    repr_count = 0
    for item in data:
        if isinstance(item, str):
            # 2024-12-11 → 2025-01-09: entries stored as Python-repr strings. literal_eval
            # only builds literals (never runs code); size-capped against abuse.
            if len(item) > MAX_REPR_CHARS:
                items.append(RecordError("Python-repr entry too large"))
                continue
            try:
                item = ast.literal_eval(item)
                repr_count += 1
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
                # TypeError: an unhashable dict key or set member, e.g. "{[1]: 2}".
                items.append(RecordError(f"unreadable Python-repr entry ({type(exc).__name__})"))
                continue
        items.append(item)
    if repr_count:
        result.notes.append(f"{repr_count} Python-repr entries")
    return items


def hf_day_of(path, data):
    match = _DAY_NAME.search(Path(path).name)
    text = match.group(1) if match else (data.get("date") if isinstance(data, dict) else None)
    if not text:
        raise RecordError("cannot tell the feed day (name the file YYYY-MM-DD.json)")
    return _date(text)


def parse_hf_daily_file(path):
    """Parse one `api/daily_papers` response. Never raises: errors land in the result."""
    result = FileResult(path=Path(path))
    try:
        with open_text(path) as fh:
            data = json.load(fh)
        day = hf_day_of(path, data)
        items = _decode_hf_items(data, result)
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile) as exc:
        result.error = f"unreadable: {exc}"
        return result
    except json.JSONDecodeError as exc:
        result.error = f"invalid JSON: {exc}"
        return result
    except RecursionError:
        result.error = "invalid JSON: nested too deeply"
        return result
    except RecordError as exc:
        result.error = str(exc)
        return result
    seen = set()
    for position, item in enumerate(items):
        try:
            if isinstance(item, RecordError):
                raise item
            entry = _hf_entry(item, day, position)
            if entry.paper.arxiv_id in seen:
                raise RecordError(f"{entry.paper.arxiv_id} listed twice")
            seen.add(entry.paper.arxiv_id)
            result.entries.append(entry)
        except RecordError as exc:
            result.notes.append(f"entry {position + 1} skipped: {exc}")
    return result


def iter_hf_paths(paths):
    """Expand directories into their *.json / *.json.gz files, sorted by name."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.name.endswith((".json", ".json.gz")))
        else:
            yield path


# --- arXiv metadata JSONL -----------------------------------------------------------------


def _snapshot_author(parts):
    last, first, suffix = (list(parts) + ["", "", ""])[:3]
    return collapse(" ".join(_text(p) for p in (first, last, suffix) if p))


def _split_authors(text):
    """`A, B and C` → [A, B, C] (used when authors_parsed is missing)."""
    text = collapse(text).replace(" and ", ", ")
    return [name.strip() for name in text.split(",") if name.strip()]


def _categories(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list):
        raise RecordError("categories is not a list")
    return [c.strip() for c in value if isinstance(c, str) and is_arxiv_category(c.strip())]


def parse_snapshot_record(obj):
    """The arXiv bulk metadata snapshot (arxiv-metadata-oai-snapshot.json)."""
    base_id, _ = _arxiv_id(obj.get("id"))
    versions = obj.get("versions") or []
    version = published = updated = None
    if versions:
        if not isinstance(versions, list):
            raise RecordError("versions is not a list")
        stamps = []
        for v in versions:
            if not isinstance(v, dict):
                raise RecordError("a version is not an object")
            number = _int(str(v.get("version", "")).lstrip("v"), limit=9999)
            stamps.append((number or 0, parse_timestamp(v.get("created"))))
        stamps.sort(key=lambda pair: pair[0])
        version, updated = stamps[-1]
        published = stamps[0][1]
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        authors = [_snapshot_author(p) for p in parsed if isinstance(p, list)]
    else:
        authors = _split_authors(_text(obj.get("authors")) or "")
    return PaperRecord(
        arxiv_id=base_id,
        version=version or None,
        title=_title(obj.get("title")),
        abstract=clean_abstract(_text(obj.get("abstract")) or ""),
        authors=authors,
        categories=_categories(obj.get("categories")),
        published=published,
        updated=updated,
        comment=collapse(_text(obj.get("comments")) or ""),
        journal_ref=collapse(_text(obj.get("journal-ref")) or ""),
        doi=(_text(obj.get("doi")) or "")[:255],
        license=(_text(obj.get("license")) or "")[:255],
    )


def parse_listing_record(obj):
    """The daily listing format: id, listing_date, authors[], title, categories[], comment, summary."""
    base_id, version = _arxiv_id(obj.get("id"))
    authors = obj.get("authors") or []
    if not isinstance(authors, list):
        raise RecordError("authors is not a list")
    return PaperRecord(
        arxiv_id=base_id,
        version=version,
        title=_title(obj.get("title")),
        abstract=clean_abstract(_text(obj.get("summary")) or ""),
        authors=[collapse(xml_safe(str(a))) for a in authors if str(a).strip()],
        categories=_categories(obj.get("categories")),
        announced_on=_date(obj.get("listing_date")),
        comment=collapse(_text(obj.get("comment")) or ""),
    )


def parse_arxiv_line(line):
    """One JSONL line (str or UTF-8 bytes) in either format; raises RecordError with the reason."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecordError(f"not UTF-8 (byte {exc.start + 1})") from None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise RecordError("invalid JSON (nested too deeply)") from None
    if not isinstance(obj, dict):
        raise RecordError("not a JSON object")
    if "abstract" in obj or "versions" in obj or "authors_parsed" in obj:
        return parse_snapshot_record(obj)
    if "summary" in obj or "listing_date" in obj:
        return parse_listing_record(obj)
    raise RecordError("neither the snapshot nor the listing format")
