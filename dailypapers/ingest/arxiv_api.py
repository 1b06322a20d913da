"""Papers by id from arXiv's API (Atom), behind `dailypapers fetch` and, later, the
community "submit a paper" flow (call fetch_papers).

1. Ids are checked locally (parse_arxiv_id) and asked for in id_list queries of at most
   MAX_IDS_PER_QUERY, at most one request every settings.ARXIV_REQUEST_INTERVAL seconds.
2. A response is refused unless it arrives within REQUEST_TIMEOUT seconds (per socket
   operation; a caller that must not wait long, such as a web request, passes a total
   `timeout` instead, which also bounds the wait for its turn), stays under
   MAX_RESPONSE_BYTES and parses as an Atom feed on defusedxml with DTDs, entity
   expansion and external entities off.
3. Only then are its records written, in one transaction per query (Loader.load_papers:
   a newer version updates the paper, an older one is skipped). A query that fails
   writes nothing.

urllib from the standard library is the HTTP client: one GET per query needs nothing more.
"""

import http.client
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from dailypapers.ingest.records import PaperRecord, RecordError, parse_timestamp
from dailypapers.lib.arxiv_ids import InvalidArxivId, is_arxiv_category, parse_arxiv_id
from dailypapers.lib.links import extract_links
from dailypapers.lib.safexml import XMLRefused, parse_remote_xml
from dailypapers.lib.text import clean_abstract, collapse

MAX_IDS_PER_QUERY = 100  # arXiv's documented page size for id_list queries
REQUEST_TIMEOUT = 30.0  # seconds, per socket operation
# 100 entries are ~300 KB; anything far larger is not a feed we asked for.
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
_CUT_SHORT = "the connection closed before the whole response arrived"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


class ArxivApiError(Exception):
    """A query that gave no usable feed; the message says why, in words for the user."""


# --- the polite client -----------------------------------------------------------------

_throttle_lock = threading.Lock()
_last_request = 0.0  # time.monotonic() of the last request from this process


class _Budget:
    """A total time limit for one query, or none (None: only the per-operation timeout)."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def left(self):
        return None if self.deadline is None else self.deadline - time.monotonic()

    def socket_timeout(self):
        left = self.left()
        if left is None:
            return REQUEST_TIMEOUT
        if left <= 0:
            raise self.exceeded()
        return min(REQUEST_TIMEOUT, left)

    def exceeded(self):
        return ArxivApiError(f"the arXiv API did not answer within {self.seconds:g} s")


def _wait_turn(budget):
    """Sleep until ARXIV_REQUEST_INTERVAL has passed since the previous request. With a
    total budget, refuse at once (ArxivApiError) rather than wait past it: a web request
    never queues behind other requests' turns."""
    global _last_request
    interval = float(settings.ARXIV_REQUEST_INTERVAL)
    left = budget.left()
    if not _throttle_lock.acquire(timeout=-1 if left is None else max(left, 0)):
        raise ArxivApiError("other requests to the arXiv API are waiting their turn")
    try:
        wait = _last_request + interval - time.monotonic()
        if wait > 0:
            left = budget.left()
            if left is not None and wait >= left:
                raise ArxivApiError("other requests to the arXiv API are waiting their turn")
            time.sleep(wait)
        _last_request = time.monotonic()
    finally:
        _throttle_lock.release()


def _read_limited(response, budget=None):
    if budget is None or budget.deadline is None:
        body = response.read(MAX_RESPONSE_BYTES + 1)
    else:
        # A slow sender must not stretch the total: read what arrives, checking the clock
        # between reads (each read waits at most the socket timeout, itself within budget).
        chunks, size = [], 0
        while size <= MAX_RESPONSE_BYTES:
            if budget.left() <= 0:
                raise budget.exceeded()
            chunk = response.read1(64 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)
    if len(body) > MAX_RESPONSE_BYTES:
        raise ArxivApiError(
            f"response larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB, refused"
        )
    # read(amount) returns what arrived when the server closes early; compare with the
    # announced length so a cut response is reported as such, not as malformed XML.
    expected = response.headers.get("Content-Length", "")
    if expected.isdigit() and len(body) < int(expected):
        raise ArxivApiError(_CUT_SHORT)
    return body


def query_url(id_list):
    query = urllib.parse.urlencode(
        {"id_list": ",".join(id_list), "start": 0, "max_results": max(len(id_list), 1)}
    )
    return f"{settings.ARXIV_API_URL}?{query}"


def request_feed(id_list, timeout=None):
    """GET an id_list query; returns the Atom feed bytes or raises ArxivApiError.

    `timeout`: seconds for the whole query, the wait for its turn included (None: no
    total, REQUEST_TIMEOUT per socket operation, as the command line uses).
    """
    budget = _Budget(timeout)
    _wait_turn(budget)
    url = query_url(id_list)
    # arXiv asks API users to identify themselves; SITE_URL says which site is asking.
    user_agent = f"dailypapers (+{settings.SITE_URL})"
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=budget.socket_timeout()) as response:
            body = _read_limited(response, budget)
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        # arXiv answers a malformed query with HTTP 400 and an Atom error entry.
        try:
            body = _read_limited(exc, budget)
        except (OSError, http.client.HTTPException, ArxivApiError):
            body = b""
        message = _error_entry_message(body)
        if message:
            raise ArxivApiError(f"arXiv refused the query (HTTP {exc.code}): {message}") from None
        raise ArxivApiError(f"arXiv API answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise ArxivApiError(f"cannot reach the arXiv API: {exc.reason}") from None
    except TimeoutError:
        if budget.deadline is not None:
            raise budget.exceeded() from None
        raise ArxivApiError(f"the arXiv API did not answer within {REQUEST_TIMEOUT:g} s") from None
    except http.client.IncompleteRead:
        raise ArxivApiError(_CUT_SHORT) from None
    except (OSError, http.client.HTTPException) as exc:
        raise ArxivApiError(f"network error talking to the arXiv API: {exc}") from None
    if "html" in content_type.lower():
        raise ArxivApiError(
            f"arXiv API answered with an HTML page ({content_type}), not an Atom feed"
        )
    return body


# --- the Atom parser -------------------------------------------------------------------


def parse_feed_root(data):
    """Parse feed bytes safely; raises ArxivApiError for unsafe, malformed or non-Atom XML."""
    try:
        root = parse_remote_xml(data)
    except XMLRefused as exc:
        raise ArxivApiError(
            {
                "html": "arXiv API answered with an HTML page, not an Atom feed",
                "unsafe": f"unsafe XML refused ({exc.detail}); nothing was loaded",
                "malformed": f"malformed or truncated XML ({exc.detail})",
            }[exc.kind]
        ) from None
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
    try:
        arxiv_id, version = parse_arxiv_id(_text(entry, f"{ATOM}id"))
    except InvalidArxivId as exc:
        raise RecordError(str(exc)) from None
    title = collapse(_text(entry, f"{ATOM}title"))
    if not title:
        raise RecordError(f"{arxiv_id}: missing title")
    abstract = clean_abstract(_text(entry, f"{ATOM}summary"))
    comment = collapse(_text(entry, f"{ARXIV}comment"))
    primary = entry.find(f"{ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    categories = [t.strip() for t in dict.fromkeys(terms) if is_arxiv_category(t.strip())]
    authors = [collapse(a.findtext(f"{ATOM}name") or "") for a in entry.findall(f"{ATOM}author")]
    repo, page = extract_links(abstract, comment)
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=abstract,
        authors=[name for name in authors if name],
        categories=categories,
        published=parse_timestamp(_text(entry, f"{ATOM}published") or None),
        updated=parse_timestamp(_text(entry, f"{ATOM}updated") or None),
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
            before = dict(loader.papers.counts)
            skipped_before = dict(loader.papers.skipped)
            loader.load_papers([record])
            outcome = next(
                name for name, n in loader.papers.counts.items() if n > before.get(name, 0)
            )
            detail = ""
            if outcome == "updated":
                old = stored.get(base)
                if old != record.version:
                    detail = f"v{old or '?'}→v{record.version}"
            elif outcome == "skipped":
                detail = next(
                    reason
                    for reason, n in loader.papers.skipped.items()
                    if n > skipped_before.get(reason, 0)
                )
            elif outcome == "created" and record.version:
                detail = f"v{record.version}"
            if outcome in ("created", "updated"):
                stored[base] = record.version  # for a later id of the same paper
            out[query_id] = FetchResult(query_id, base, outcome, detail)
    return out
