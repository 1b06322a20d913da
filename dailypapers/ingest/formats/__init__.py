"""Parsers of source files, one module per format, each turning a file into plain records
(ingest/records.py) with the coercers of ingest/fields.py:

- hf_daily: Hugging Face `api/daily_papers` responses (feed days and their papers);
- arxiv_jsonl: arXiv metadata as JSON lines (the bulk snapshot and the daily listing).

No Django models here. Both read plain or gzip files (open_text, open_bytes).
"""

import gzip
from pathlib import Path


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
