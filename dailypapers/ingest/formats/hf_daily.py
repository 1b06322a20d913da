"""Hugging Face `api/daily_papers` responses: one JSON file per feed day (YYYY-MM-DD.json,
plain or gzip), a list of entries each with its paper, in the shapes the API has had:
a plain list, a list wrapped in {data: [...]} (2025-01-10), entries as Python-repr
strings (2024-12-11 → 2025-01-09).
"""

import ast
import datetime as dt
import gzip
import json
import re
from pathlib import Path

from dailypapers.ingest import fields
from dailypapers.ingest.formats import open_text
from dailypapers.ingest.records import EntryRecord, FileResult, PaperRecord, RecordError
from dailypapers.lib.text import clean_abstract, collapse, xml_safe

_DAY_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
MAX_REPR_CHARS = 2_000_000  # a Python-repr entry longer than this is refused unread


def _hf_entry(raw, day, position):
    if not isinstance(raw, dict):
        raise RecordError(f"entry is a {type(raw).__name__}, not an object")
    paper = raw.get("paper")
    if not isinstance(paper, dict):
        raise RecordError("entry has no paper object")
    base_id, version = fields.arxiv_id(paper.get("id"))
    authors = paper.get("authors") or []
    if not isinstance(authors, list):
        raise RecordError("authors is not a list")
    # Names only: HF user accounts, avatars and claim statuses are dropped here.
    names = [
        collapse(fields.text(a.get("name")))
        for a in authors
        if isinstance(a, dict) and a.get("name")
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
        title=fields.title(paper.get("title") or raw.get("title")),
        abstract=clean_abstract(fields.text(summary)) if summary is not None else None,
        authors=names,
        published=fields.timestamp(paper.get("publishedAt")),
        github_repo=fields.url(paper.get("githubRepo")),
        github_stars=fields.count(paper.get("githubStars")),
        project_page=fields.url(paper.get("projectPage")),
        ai_summary=fields.text(paper.get("ai_summary")),
        ai_keywords=keywords,
        source="hf",
    )
    submitted = fields.timestamp(paper.get("submittedOnDailyAt"))
    if submitted is None:
        submitted = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return EntryRecord(
        paper=record,
        day=day,
        submitted_at=submitted,
        upvotes=fields.count(paper.get("upvotes")) or 0,
        num_comments=fields.count(raw.get("numComments")) or 0,
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
    return fields.date(text)


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
