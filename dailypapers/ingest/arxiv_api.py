"""Papers by id from arXiv's API (Atom), behind `dailypapers fetch` and the community's
"submit a paper" for a paper not yet in the catalogue (community/services.py find_paper,
which calls fetch_papers with a short total timeout).

1. Ids are checked locally (parse_arxiv_id) and asked for in id_list queries of at most
   MAX_IDS_PER_QUERY, through the arXiv client (arxiv_http.py): at most one request to
   arXiv every settings.ARXIV_REQUEST_INTERVAL seconds, OAI-PMH's included.
2. A response is refused unless it arrives within arxiv_http.TIMEOUT seconds (per socket
   operation; a caller that must not wait long, such as a web request, passes a total
   `timeout` instead, which also bounds the wait for its turn), stays under
   MAX_RESPONSE_BYTES and parses as an Atom feed on defusedxml with DTDs, entity
   expansion and external entities off.
3. Only then are its records written, in one transaction per query (Loader.load_papers:
   a newer version updates the paper, an older one is skipped). A query that fails
   writes nothing.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from dailypapers.ingest import arxiv_http, fields
from dailypapers.ingest.records import PaperRecord, RecordError
from dailypapers.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from dailypapers.lib.links import extract_links
from dailypapers.lib.safexml import XMLRefused, parse_remote_xml
from dailypapers.lib.text import clean_abstract, collapse

MAX_IDS_PER_QUERY = 100  # arXiv's documented page size for id_list queries
# 100 entries are ~300 KB; anything far larger is not a feed we asked for.
MAX_RESPONSE_BYTES = 10 * 1024 * 1024

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


class ArxivApiError(Exception):
    """A query that gave no usable feed; the message says why, in words for the user."""


# --- the request -----------------------------------------------------------------------


def query_params(id_list):
    return {"id_list": ",".join(id_list), "start": 0, "max_results": max(len(id_list), 1)}


def request_feed(id_list, timeout=None):
    """GET an id_list query; returns the Atom feed bytes or raises ArxivApiError.

    `timeout`: seconds for the whole query, the wait for its turn included (None: no
    total, arxiv_http.TIMEOUT per socket operation, as the command line uses).
    """
    client = arxiv_http.Client("arXiv API", settings.ARXIV_API_URL, max_bytes=MAX_RESPONSE_BYTES)
    try:
        response = client.get(query_params(id_list), timeout)
    except arxiv_http.NoTurn:
        raise ArxivApiError("other requests to the arXiv API are waiting their turn") from None
    except arxiv_http.HTTPStatusError as exc:
        message = _error_entry_message(exc.body)
        if message:
            raise ArxivApiError(f"arXiv refused the query (HTTP {exc.status}): {message}") from None
        raise ArxivApiError(f"arXiv API answered HTTP {exc.status} {exc.reason}") from None
    except arxiv_http.TooLarge as exc:
        raise ArxivApiError(
            f"response larger than {exc.limit // (1024 * 1024)} MB, refused"
        ) from None
    except arxiv_http.Unreachable as exc:
        raise ArxivApiError(f"cannot reach the arXiv API: {exc.reason}") from None
    except arxiv_http.TimedOut as exc:
        raise ArxivApiError(f"the arXiv API did not answer within {exc.seconds:g} s") from None
    except arxiv_http.CutShort:
        raise ArxivApiError(arxiv_http.CUT_SHORT) from None
    except arxiv_http.NetworkError as exc:
        raise ArxivApiError(f"network error talking to the arXiv API: {exc.reason}") from None
    if "html" in response.content_type.lower():
        raise ArxivApiError(
            f"arXiv API answered with an HTML page ({response.content_type}), not an Atom feed"
        )
    return response.body


# --- the Atom parser -------------------------------------------------------------------


def parse_feed_root(data):
    """Parse feed bytes safely; raises ArxivApiError for unsafe, malformed or non-Atom XML."""
    try:
        root = parse_remote_xml(data)
    except XMLRefused as exc:
        raise ArxivApiError(exc.message("an Atom feed")) from None
    if root.tag != f"{ATOM}feed":
        raise ArxivApiError(f"not an Atom feed (root element {root.tag!r})")
    return root


def _error_entry_message(data):
    """The text of arXiv's error entry (id …/api/errors#…) in a feed, if there is one."""
    try:
        root = parse_feed_root(data)
    except ArxivApiError:
        return None
    for entry in root.iter(f"{ATOM}entry"):
        if "/api/errors" in (entry.findtext(f"{ATOM}id") or ""):
            return collapse(entry.findtext(f"{ATOM}summary") or "") or "unknown error"
    return None


def _text(entry, tag):
    value = entry.findtext(tag)
    return value.strip() if value else ""


def parse_entry(entry):
    """One Atom <entry> to a PaperRecord; RecordError when a required field is missing."""
    arxiv_id, version = fields.arxiv_id(_text(entry, f"{ATOM}id"))
    try:
        title = fields.title(_text(entry, f"{ATOM}title"))
    except RecordError as exc:
        raise RecordError(f"{arxiv_id}: {exc}") from None
    abstract = clean_abstract(_text(entry, f"{ATOM}summary"))
    comment = collapse(_text(entry, f"{ARXIV}comment"))
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    categories = fields.categories(list(dict.fromkeys(terms)))
    authors = [collapse(a.findtext(f"{ATOM}name") or "") for a in entry.findall(f"{ATOM}author")]
    repo, page = extract_links(abstract, comment)
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=abstract,
        authors=[name for name in authors if name],
        categories=categories,
        published=fields.timestamp(_text(entry, f"{ATOM}published") or None),
        updated=fields.timestamp(_text(entry, f"{ATOM}updated") or None),
        comment=comment,
        journal_ref=collapse(_text(entry, f"{ARXIV}journal_ref")),
        doi=_text(entry, f"{ARXIV}doi")[:255],
        github_repo=repo,
        project_page=page,
        source="arxiv",
    )


def parse_feed(data):
    """Atom feed bytes to (records, problems): problems are (entry id, reason) pairs for
    entries that could not be used. Raises ArxivApiError for a feed that is unusable as a
    whole (unsafe, malformed, not Atom, or arXiv's error entry)."""
    root = parse_feed_root(data)
    records, problems = [], []
    for entry in root.iter(f"{ATOM}entry"):
        entry_id = _text(entry, f"{ATOM}id")
        if "/api/errors" in entry_id:
            message = collapse(_text(entry, f"{ATOM}summary")) or "unknown error"
            raise ArxivApiError(f"arXiv refused the query: {message}")
        try:
            records.append(parse_entry(entry))
        except RecordError as exc:
            problems.append((entry_id, str(exc)))
    return records, problems


def fetch_records(id_list, timeout=None):
    """Ask arXiv for up to MAX_IDS_PER_QUERY ids (strings as arXiv takes them), within
    `timeout` seconds in all when given (request_feed).

    Returns (records, problems) as parse_feed; raises ArxivApiError when the query fails.
    """
    if len(id_list) > MAX_IDS_PER_QUERY:
        raise ValueError(f"at most {MAX_IDS_PER_QUERY} ids per query")
    return parse_feed(request_feed(id_list, timeout))


# --- fetching into the catalogue -------------------------------------------------------


@dataclass
class FetchResult:
    requested: str  # as the user gave it
    arxiv_id: str | None  # base id, None when it is not an arXiv id
    outcome: str  # created, updated, unchanged, skipped, not found, error
    detail: str = ""

    @property
    def failed(self):
        return self.outcome in ("not found", "error")

    def __str__(self):
        name = self.arxiv_id or self.requested
        return f"{name}: {self.outcome}" + (f" ({self.detail})" if self.detail else "")


def _wanted_id(base, version):
    return f"{base}v{version}" if version else base


def fetch_papers(ids, timeout=None):
    """Fetch papers by id or abs/pdf URL from arXiv and upsert them; one FetchResult per id.

    Never raises for a bad id or a failed query: the result says what happened. Used by
    `dailypapers fetch`; the community "submit a paper" flow calls it with one id and a
    short `timeout` (seconds per query, in all: see request_feed), so that a slow arXiv
    costs a web request a few seconds, never the server's worker timeout.
    """
    from dailypapers.ingest.loader import Loader

    results = {}
    wanted = {}  # arXiv query id -> [requested strings]
    for text in ids:
        try:
            base, version = parse_arxiv_id(text)
        except InvalidArxivId as exc:
            results[text] = FetchResult(text, None, "error", str(exc))
            continue
        wanted.setdefault(_wanted_id(base, version), []).append(text)

    query_ids = list(wanted)
    for start in range(0, len(query_ids), MAX_IDS_PER_QUERY):
        chunk = query_ids[start : start + MAX_IDS_PER_QUERY]
        for query_id, outcome in _fetch_chunk(chunk, Loader, timeout).items():
            for text in wanted[query_id]:
                results[text] = FetchResult(text, outcome.arxiv_id, outcome.outcome, outcome.detail)
    return [results[text] for text in dict.fromkeys(ids)]


def _fetch_chunk(chunk, loader_class, timeout=None):
    """Query and load one chunk of ids; {query id: FetchResult}."""
    from dailypapers.papers.models import Paper

    bases = {q: parse_arxiv_id(q)[0] for q in chunk}
    try:
        records, problems = fetch_records(chunk, timeout)
    except ArxivApiError as exc:
        return {q: FetchResult(q, bases[q], "error", str(exc)) for q in chunk}
    # A versioned query id (2104.12255v1) takes the entry of that version, a bare one the
    # entry arXiv gives for the base id (the latest version).
    by_id = {}
    for record in records:
        by_id.setdefault(record.arxiv_id, record)
        by_id.setdefault(_wanted_id(record.arxiv_id, record.version), record)
    problem_ids = {}
    for entry_id, reason in problems:
        try:
            problem_ids[parse_arxiv_id(entry_id)[0]] = reason
        except InvalidArxivId:
            pass
    out = {}
    loader = loader_class()
    with transaction.atomic():
        stored = dict(
            Paper.objects.filter(arxiv_id__in=set(bases.values())).values_list(
                "arxiv_id", "version"
            )
        )
        for query_id in chunk:
            base = bases[query_id]
            record = by_id.get(query_id) or by_id.get(base)
            if record is None:
                if base in problem_ids:
                    out[query_id] = FetchResult(query_id, base, "error", problem_ids[base])
                else:
                    out[query_id] = FetchResult(
                        query_id, base, "not found", "arXiv has no such paper"
                    )
                continue
            loaded = loader.load_papers([record])[record.arxiv_id]
            outcome = loaded.outcome
            detail = ""
            if outcome == "updated":
                old = stored.get(base)
                if old != record.version:
                    detail = f"v{old or '?'}→v{record.version}"
            elif outcome == "skipped":
                detail = loaded.reason
            elif outcome == "created" and record.version:
                detail = f"v{record.version}"
            if outcome in ("created", "updated"):
                stored[base] = record.version  # for a later id of the same paper
            out[query_id] = FetchResult(query_id, base, outcome, detail)
    return out
