"""arXiv metadata as JSON lines, one paper a line, in either of two formats: the bulk
metadata snapshot (arxiv-metadata-oai-snapshot.json: versions, authors_parsed) and the
daily listing (id, listing_date, authors[], title, categories[], comment, summary).
"""

import json

from dailypapers.ingest import fields
from dailypapers.ingest.records import PaperRecord, RecordError
from dailypapers.lib.text import clean_abstract, collapse, xml_safe


def _snapshot_author(parts):
    last, first, suffix = (list(parts) + ["", "", ""])[:3]
    return collapse(" ".join(fields.text(p) for p in (first, last, suffix) if p))


def parse_snapshot_record(obj):
    """The arXiv bulk metadata snapshot (arxiv-metadata-oai-snapshot.json)."""
    base_id, _ = fields.arxiv_id(obj.get("id"))
    versions = obj.get("versions") or []
    version = published = updated = None
    if versions:
        if not isinstance(versions, list):
            raise RecordError("versions is not a list")
        stamps = []
        for v in versions:
            if not isinstance(v, dict):
                raise RecordError("a version is not an object")
            number = fields.count(str(v.get("version", "")).lstrip("v"), limit=9999)
            stamps.append((number or 0, fields.timestamp(v.get("created"))))
        stamps.sort(key=lambda pair: pair[0])
        version, updated = stamps[-1]
        published = stamps[0][1]
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        authors = [_snapshot_author(p) for p in parsed if isinstance(p, list)]
    else:
        authors = fields.split_authors(fields.text(obj.get("authors")) or "")
    return PaperRecord(
        arxiv_id=base_id,
        version=version or None,
        title=fields.title(obj.get("title")),
        abstract=clean_abstract(fields.text(obj.get("abstract")) or ""),
        authors=authors,
        categories=fields.categories(obj.get("categories")),
        published=published,
        updated=updated,
        comment=collapse(fields.text(obj.get("comments")) or ""),
        journal_ref=collapse(fields.text(obj.get("journal-ref")) or ""),
        doi=(fields.text(obj.get("doi")) or "")[:255],
        license=(fields.text(obj.get("license")) or "")[:255],
    )


def parse_listing_record(obj):
    """The daily listing format: id, listing_date, authors[], title, categories[], comment, summary."""
    base_id, version = fields.arxiv_id(obj.get("id"))
    authors = obj.get("authors") or []
    if not isinstance(authors, list):
        raise RecordError("authors is not a list")
    return PaperRecord(
        arxiv_id=base_id,
        version=version,
        title=fields.title(obj.get("title")),
        abstract=clean_abstract(fields.text(obj.get("summary")) or ""),
        authors=[collapse(xml_safe(str(a))) for a in authors if str(a).strip()],
        categories=fields.categories(obj.get("categories")),
        announced_on=fields.date(obj.get("listing_date")),
        comment=collapse(fields.text(obj.get("comment")) or ""),
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
