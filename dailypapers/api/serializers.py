"""Papers and feed entries in Hugging Face's JSON shape, and the schemas that document it.

The shape follows the real responses of `GET https://huggingface.co/api/daily_papers`
(../shared/data/hf_daily_papers/): the same field names, nesting and timestamp format
(`2026-08-21T00:00:00.000Z`). Like Hugging Face, a field we have no value for is left
out, never sent as null. What we never send: avatars, HF account objects, organisations,
media URLs and thumbnails (we keep none of them; README "Importing papers").

The dicts are built by hand (a few µs per entry); the pydantic schemas below only
document the shape for OpenAPI, and tests/test_api_schema.py checks both agree.
"""

import datetime as dt
import hashlib

from django.utils import timezone
from ninja import Field, Schema

# Daily-paper fields that huggingface_hub's PaperInfo reads only at the top level of an
# entry (hf_api.py PaperInfo.__init__: kwargs.pop("ai_summary"), "githubRepo", …), while
# Hugging Face nests them in `paper`. We send them in both places so the client sees them.
CLIENT_TOP_LEVEL_COPIES = ("ai_summary", "ai_keywords", "projectPage", "githubRepo", "githubStars")


def hf_timestamp(value):
    """`2026-08-21T00:00:00.000Z`: UTC, milliseconds, a Z."""
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def feed_day_start(day):
    """The start of a feed day (a calendar day in FEED_TIME_ZONE) as an aware datetime."""
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())


def author_id(arxiv_id, index, name):
    # HF gives each author a 24-hex-digit object id; we keep names only, so derive a
    # stable id of the same form from what identifies the author on this paper.
    return hashlib.sha1(f"{arxiv_id}\n{index}\n{name}".encode()).hexdigest()[:24]


def submitter(name):
    """HF's user object, reduced to the public name we keep (no avatar, no flags)."""
    return {"name": name, "fullname": name, "user": name, "type": "user"}


def submitter_of(entry):
    """The name to publish for an entry's submitter: a local account's only. Imported
    entries carry no source account, and older rows that kept one are not shown either."""
    return entry.submitter_name if entry is not None and entry.submitted_by_id is not None else ""


def paper_dict(paper, *, upvotes, submitted_at=None, submitter_name=""):
    """The `paper` object of a daily entry (and, with totals, of GET /api/papers/{id})."""
    data = {
        "id": paper.arxiv_id,
        "authors": [
            {"_id": author_id(paper.arxiv_id, i, name), "name": name, "hidden": False}
            for i, name in enumerate(paper.authors or [])
        ],
    }
    if paper.published:
        data["publishedAt"] = hf_timestamp(paper.published)
    if submitted_at:
        data["submittedOnDailyAt"] = hf_timestamp(submitted_at)
    data["title"] = paper.title
    if submitter_name:
        data["submittedOnDailyBy"] = submitter(submitter_name)
    data["summary"] = paper.abstract
    data["upvotes"] = upvotes
    if paper.project_page:
        data["projectPage"] = paper.project_page
    if paper.github_repo:
        data["githubRepo"] = paper.github_repo
    if paper.ai_summary:
        data["ai_summary"] = paper.ai_summary
    if paper.ai_keywords:
        data["ai_keywords"] = list(paper.ai_keywords)
    if paper.github_stars is not None:
        data["githubStars"] = paper.github_stars
    return data


def daily_entry(entry):
    """One element of GET /api/daily_papers. `entry.paper` must be loaded."""
    paper = paper_dict(
        entry.paper,
        upvotes=entry.upvotes,
        submitted_at=entry.submitted_at,
        submitter_name=submitter_of(entry),
    )
    # HF's top-level publishedAt is when the paper joined the feed; PaperInfo reads it as
    # `submitted_at`. Ours is the start of the feed day.
    return _entry(paper, feed_day_start(entry.day), comment_counts([entry]), submitter_of(entry))


def comment_counts(features):
    """numComments and its two parts for a paper featured on `features` (its feed
    entries). numComments keeps Hugging Face's meaning, the size of the paper's
    discussion: the comments it had on Hugging Face (as last imported) plus those posted
    here; numCommentsHere is what GET /api/papers/{id}/comments and the paper page show.
    Hugging Face's counts add up over the days, as upvotes do; every entry carries all the
    paper's local comments, so those are counted once."""
    on_hf = sum(e.imported_comments for e in features)
    here = max((e.local_comments for e in features), default=0)
    return {"numComments": on_hf + here, "numCommentsHere": here, "numCommentsOnHuggingFace": on_hf}


def _entry(paper, listed, counts, submitter_name):
    """HF's daily entry around a `paper` object (paper_dict); `counts` from comment_counts."""
    data = {
        "paper": paper,
        "publishedAt": hf_timestamp(listed),
        "title": paper["title"],
        "summary": paper["summary"],
        **counts,
    }
    if submitter_name:
        data["submittedBy"] = submitter(submitter_name)
    # We know of no author accounts, so no author takes part in a discussion here.
    data["isAuthorParticipating"] = False
    for key in CLIENT_TOP_LEVEL_COPIES:
        if key in paper:
            data[key] = paper[key]
    return data


def _paper_with_totals(paper, features):
    """paper_dict with upvotes summed over the days it was featured and the first
    feature's submission (`features`: visible feed entries, oldest first)."""
    first = features[0] if features else None
    return paper_dict(
        paper,
        upvotes=sum(e.upvotes for e in features),
        submitted_at=first.submitted_at if first else None,
        submitter_name=submitter_of(first),
    )


def flat_paper(paper, features):
    """GET /api/papers/{id}: the paper object at the top level, with totals over the
    days it was featured (`features`: its visible feed entries, oldest first)."""
    data = _paper_with_totals(paper, features)
    # PaperInfo reads numComments at the top level (its `comments`).
    data.update(comment_counts(features))
    return data


def search_entry(paper, features):
    """One element of GET /api/papers/search: HF's shape, a daily entry around the paper
    (`features`: its visible feed entries, oldest first; the paper may have none). Its
    publishedAt is the first feed day, else the paper's arXiv publication time."""
    first = features[0] if features else None
    data = _paper_with_totals(paper, features)
    if first:
        listed = feed_day_start(first.day)
    elif paper.published:
        listed = paper.published
    elif paper.announced_on:
        listed = feed_day_start(paper.announced_on)
    else:
        listed = paper.created_at
    return _entry(data, listed, comment_counts(features), submitter_of(first))


def paper_markdown(paper, page_url):
    """GET /papers/{id}.md (what huggingface_hub's read_paper fetches)."""
    lines = [f"# {paper.title}", ""]
    if paper.authors:
        lines += [f"**Authors:** {', '.join(paper.authors)}", ""]
    if paper.published:
        lines += [f"**Published:** {paper.published.astimezone(dt.UTC):%Y-%m-%d}", ""]
    if paper.abstract:
        lines += ["## Abstract", "", paper.abstract, ""]
    if paper.ai_summary:
        lines += ["## AI summary", "", paper.ai_summary, ""]
    lines += ["## Links", "", f"- arXiv: {paper.abs_url}", f"- PDF: {paper.pdf_url}"]
    if paper.github_repo:
        stars = f" ({paper.github_stars} stars)" if paper.github_stars is not None else ""
        lines.append(f"- Code: {paper.github_repo}{stars}")
    if paper.project_page:
        lines.append(f"- Project page: {paper.project_page}")
    lines.append(f"- This page: {page_url}")
    return "\n".join(lines) + "\n"


# --- Schemas: documentation of the shapes above (OpenAPI) -----------------------------------
# `str = None` (not `str | None`) says "may be absent, never null", which is what we send.


class AuthorOut(Schema):
    id_: str = Field(..., alias="_id")
    name: str
    hidden: bool


class UserOut(Schema):
    name: str
    fullname: str
    user: str
    type: str


class PaperOut(Schema):
    id: str
    authors: list[AuthorOut]
    publishedAt: str = Field(None, description="arXiv v1 time, `YYYY-MM-DDTHH:MM:SS.sssZ`")
    submittedOnDailyAt: str = Field(None, description="when the paper joined the daily feed")
    title: str
    submittedOnDailyBy: UserOut = None
    summary: str
    upvotes: int
    projectPage: str = None
    githubRepo: str = None
    ai_summary: str = None
    ai_keywords: list[str] = None
    githubStars: int = None


_NUM_COMMENTS = Field(
    ...,
    description="as on Hugging Face, the size of the paper's discussion: the comments it had on "
    "Hugging Face (as last imported) plus those posted here",
)
_NUM_HERE = Field(
    ..., description="comments posted here that people can see (GET /api/papers/{id}/comments)"
)
_NUM_HF = Field(
    ..., description="comments on the paper's Hugging Face page, as last imported (not shown here)"
)


class FlatPaperOut(PaperOut):
    numComments: int = _NUM_COMMENTS
    numCommentsHere: int = _NUM_HERE
    numCommentsOnHuggingFace: int = _NUM_HF


class DailyPaperOut(Schema):
    paper: PaperOut
    publishedAt: str = Field(
        ...,
        description="the start of the feed day, UTC (in search results: of the first day the "
        "paper was featured, else its arXiv publication time)",
    )
    title: str
    summary: str
    numComments: int = _NUM_COMMENTS
    numCommentsHere: int = _NUM_HERE
    numCommentsOnHuggingFace: int = _NUM_HF
    submittedBy: UserOut = None
    isAuthorParticipating: bool
    # Copies of paper fields for huggingface_hub's PaperInfo (CLIENT_TOP_LEVEL_COPIES).
    ai_summary: str = None
    ai_keywords: list[str] = None
    projectPage: str = None
    githubRepo: str = None
    githubStars: int = None


class ErrorOut(Schema):
    error: str
