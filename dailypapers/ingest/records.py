"""The plain records every source is parsed into (formats/, oai.py, arxiv_api.py) and the
loader writes. No Django models here.

A PaperRecord carries what one source says about a paper; a field left as None means
"this source does not say", and the loader leaves the stored value alone.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from dailypapers.lib.text import xml_safe


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
