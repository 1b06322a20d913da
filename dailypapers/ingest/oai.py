"""OAI-PMH harvesting from arXiv (settings.ARXIV_OAI_URL): ListRecords, page by page.

    result = harvest("cs")                      # incremental: from the last harvested day
    result = harvest("cs", from_=date(2026, 8, 1), until=date(2026, 8, 31))

1. Requests go through the arXiv client (arxiv_http.py): each waits until
   settings.ARXIV_REQUEST_INTERVAL seconds have passed since the previous request to arXiv
   (arXiv asks for one every 3 s). A 503 is retried after its Retry-After; network errors
   and other 5xx are retried after a few delays, for three minutes at most, each retry
   announced. Responses are time-limited and size-limited (MAX_RESPONSE_BYTES).
2. A page is parsed with defusedxml, DTDs refused: no entity expansion (billion laughs),
   no external entities or DTDs fetched. An HTML page, truncated XML or an OAI error
   stops the run with a clear message (HarvestError / OAIError); noRecordsMatch is
   simply "nothing new". A record without an id or title is skipped with its reason.
3. The page's papers are written (Loader.load_papers) and the checkpoint (HarvestState)
   is moved to the page's resumptionToken in ONE transaction: a run killed anywhere
   resumes after the last committed page, and loses or duplicates nothing.
4. When the list ends, the newest datestamp seen becomes the next run's `from`.

Understands the `arXiv`, `arXivRaw` and `oai_dc` metadata formats.
"""

import datetime as dt
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from dailypapers.core.dbfailures import DATABASE_ERRORS, write_failure
from dailypapers.ingest import arxiv_http, fields
from dailypapers.ingest.loader import Loader
from dailypapers.ingest.records import PaperRecord, RecordError
from dailypapers.lib.links import extract_links
from dailypapers.lib.safexml import XMLRefused, parse_remote_xml
from dailypapers.lib.text import clean_abstract, collapse

MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # an arXiv page of 1,000 records is a few MB

FORMATS = ("arXiv", "arXivRaw", "oai_dc")


class HarvestError(Exception):
    """A response we cannot use (network, HTTP, HTML instead of XML, truncated XML)."""


class OAIError(HarvestError):
    """An OAI-PMH <error> response, e.g. badArgument or badResumptionToken."""

    def __init__(self, code, message):
        self.code = code
        super().__init__(f"OAI-PMH error {code}: {collapse(message) or '(no message)'}")


# --- parsing --------------------------------------------------------------------------


@dataclass
class Page:
    records: list = field(default_factory=list)  # PaperRecords
    skipped: list = field(default_factory=list)  # (identifier, reason)
    token: str | None = None  # None: the list is complete
    datestamp: dt.date | None = None  # newest record datestamp on the page
    complete_size: int | None = None


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _child(element, name):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _text_of(element, name):
    child = _child(element, name) if element is not None else None
    if child is None:
        return None
    return "".join(child.itertext())


def _midnight(day):
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) if day else None


def _categories(text):
    # None, not [], when the record names none: the stored categories are left alone.
    return fields.categories(text) or None


def _doi(text):
    # arXiv sometimes lists several DOIs ("10.1/a, 10.1/b;10.1/c"): keep the first.
    first = re.split(r"[\s,;]+", (text or "").strip())[0]
    return first[:255] or None


def _short(text, limit=255):
    text = collapse(text)
    return text[:limit] if text else None


def _from_arxiv(meta):
    """The `arXiv` format: structured authors, created/updated days, no version number."""
    arxiv_id, version = fields.arxiv_id(_text_of(meta, "id"))
    authors = []
    container = _child(meta, "authors")
    for author in _children(meta if container is None else container, "author"):
        parts = (_text_of(author, n) for n in ("forenames", "keyname", "suffix"))
        name = collapse(" ".join(p for p in parts if p))
        if name:
            authors.append(name)
    created = fields.date(_text_of(meta, "created"))
    updated = fields.date(_text_of(meta, "updated"))
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=fields.title(_text_of(meta, "title")),
        abstract=clean_abstract(_text_of(meta, "abstract") or ""),
        authors=authors,
        categories=_categories(_text_of(meta, "categories")),
        published=_midnight(created),
        updated=_midnight(updated or created),
        comment=collapse(_text_of(meta, "comments")),
        journal_ref=collapse(_text_of(meta, "journal-ref")),
        doi=_doi(_text_of(meta, "doi")) or "",
        license=_short(_text_of(meta, "license")) or "",
    )


def _from_arxiv_raw(meta):
    """The `arXivRaw` format: authors as one string, every version with its date."""
    arxiv_id, _ = fields.arxiv_id(_text_of(meta, "id"))
    versions = []
    for element in _children(meta, "version"):
        number = (element.get("version") or "").lstrip("v")
        if number.isdigit():
            versions.append((int(number), fields.timestamp(collapse(_text_of(element, "date")))))
    versions.sort(key=lambda pair: pair[0])
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=versions[-1][0] if versions else None,
        title=fields.title(_text_of(meta, "title")),
        abstract=clean_abstract(_text_of(meta, "abstract") or ""),
        authors=fields.split_authors(_text_of(meta, "authors")),
        categories=_categories(_text_of(meta, "categories")),
        published=versions[0][1] if versions else None,
        updated=versions[-1][1] if versions else None,
        comment=collapse(_text_of(meta, "comments")),
        journal_ref=collapse(_text_of(meta, "journal-ref")),
        doi=_doi(_text_of(meta, "doi")) or "",
        license=_short(_text_of(meta, "license")) or "",
    )


def _from_oai_dc(meta, identifier):
    """Dublin Core: the id comes from the OAI identifier; subjects are prose, not categories."""
    arxiv_id, _ = fields.arxiv_id(
        identifier.rsplit(":", 1)[-1] if identifier.startswith("oai:") else identifier
    )
    authors = []
    for creator in _children(meta, "creator"):
        last, _, first = collapse("".join(creator.itertext())).partition(", ")
        name = f"{first} {last}".strip()
        if name:
            authors.append(name)
    dates = sorted(
        d for d in (fields.date("".join(e.itertext())) for e in _children(meta, "date")) if d
    )
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=fields.title(_text_of(meta, "title")),
        abstract=clean_abstract(_text_of(meta, "description") or ""),
        authors=authors,
        published=_midnight(dates[0]) if dates else None,
        updated=_midnight(dates[-1]) if dates else None,
    )


def parse_record(record):
    """One <record> element → (PaperRecord or None when deleted, datestamp). Raises RecordError."""
    header = _child(record, "header")
    if header is None:
        raise RecordError("record without a header")
    identifier = collapse(_text_of(header, "identifier"))
    datestamp = fields.date(_text_of(header, "datestamp"))
    if header.get("status") == "deleted":
        return None, datestamp
    metadata = _child(record, "metadata")
    if metadata is None or len(metadata) == 0:
        raise RecordError("record without metadata")
    meta = metadata[0]
    kind = _local(meta.tag)
    if kind == "arXiv":
        paper = _from_arxiv(meta)
    elif kind == "arXivRaw":
        paper = _from_arxiv_raw(meta)
    elif kind == "dc":
        paper = _from_oai_dc(meta, identifier)
    else:
        raise RecordError(f"unknown metadata format <{kind}>")
    # Code and project pages named in the abstract or the comment (as fetch does).
    paper.github_repo, paper.project_page = extract_links(paper.abstract, paper.comment)
    return paper, datestamp


def parse_page(body):
    """A ListRecords (or GetRecord) response → Page. Raises HarvestError / OAIError.

    noRecordsMatch is an empty, complete Page: nothing new since `from`.
    """
    try:
        root = parse_remote_xml(body)
    except XMLRefused as exc:
        raise HarvestError(exc.message("OAI-PMH XML")) from None
    if _local(root.tag) != "OAI-PMH":
        raise HarvestError(f"not an OAI-PMH response (root element <{_local(root.tag)}>)")
    errors = _children(root, "error")
    if errors:
        codes = [e.get("code", "") for e in errors]
        if codes == ["noRecordsMatch"]:
            return Page()
        raise OAIError(codes[0] or "unknown", "".join(errors[0].itertext()))
    page = Page()
    container = _child(root, "ListRecords")
    if container is None:
        container = _child(root, "GetRecord")
    if container is None:
        raise HarvestError("an OAI-PMH response without ListRecords or GetRecord")
    for position, record in enumerate(_children(container, "record"), 1):
        identifier = (
            collapse(_text_of(_child(record, "header"), "identifier")) or f"record {position}"
        )
        try:
            paper, datestamp = parse_record(record)
        except RecordError as exc:
            page.skipped.append((identifier, str(exc)))
            continue
        if datestamp and (page.datestamp is None or datestamp > page.datestamp):
            page.datestamp = datestamp
        if paper is None:
            page.skipped.append((identifier, "deleted"))
        else:
            page.records.append(paper)
    token = _child(container, "resumptionToken")
    if token is not None:
        # An empty token on the last page means "complete" (OAI-PMH 3.5).
        page.token = collapse(token.text) or None
        size = token.get("completeListSize")
        page.complete_size = int(size) if size and size.isdigit() else None
    return page


# --- HTTP -----------------------------------------------------------------------------


class Client:
    """GETs OAI-PMH requests through the arXiv client (arxiv_http.Client): spaced out with
    every other request to arXiv, retried with each retry announced, time- and
    size-limited. Raises HarvestError."""

    def __init__(self, base_url=None, interval=None, log=None, sleep=time.sleep, notice=None):
        self.base_url = base_url or settings.ARXIV_OAI_URL
        log = log or (lambda message: None)
        self.http = arxiv_http.Client(
            "arXiv OAI-PMH",
            self.base_url,
            max_bytes=MAX_RESPONSE_BYTES,
            agent="dailypapers-harvester",
            interval=interval,
            retry=True,
            # What the harvest is waiting for (retries, 503s): the command shows it on stderr.
            notice=notice or log,
            sleep=sleep,
        )

    def get(self, params):
        try:
            return self.http.get(params).body
        except arxiv_http.HTTPStatusError as exc:
            raise HarvestError(f"HTTP {exc.status} {exc.reason} for {exc.url}") from None
        except arxiv_http.TooLarge as exc:
            raise HarvestError(f"response larger than {exc.limit} bytes from {exc.url}") from None
        except arxiv_http.ArxivHTTPError as exc:
            raise HarvestError(str(exc)) from None


# --- harvesting -----------------------------------------------------------------------


@dataclass
class HarvestResult:
    set_spec: str
    pages: int = 0
    records: int = 0
    error: str | None = None
    loader: Loader = field(default_factory=lambda: Loader(real_data=True))
    write_failed: bool = False  # the database could not be written (core/dbfailures.py)


def harvest(
    set_spec,
    prefix="arXiv",
    from_=None,
    until=None,
    client=None,
    log=None,
    should_stop=None,
    notice=None,
):
    """Harvest one set; see the module docstring. Never raises HarvestError: a run that
    cannot go on is returned with `error` set, its checkpoint at the last good page.
    `log` gets the progress, `notice` what a request is waiting for (default: log)."""
    from dailypapers.ingest.models import HarvestState

    log = log or (lambda message: None)
    client = client or Client(log=log, notice=notice)
    result = HarvestResult(set_spec=set_spec)
    state, _ = HarvestState.objects.get_or_create(set_spec=set_spec, metadata_prefix=prefix)

    if from_ is not None or until is not None or not state.resumption_token:
        if state.resumption_token and (from_ is not None or until is not None):
            log(f"{set_spec}: dropping the interrupted run's checkpoint for the dates asked")
        state.resumption_token = ""
        state.run_from = from_ if from_ is not None else state.last_datestamp
        state.run_until = until
        state.run_datestamp = None
        params = {"verb": "ListRecords", "metadataPrefix": prefix, "set": set_spec}
        if state.run_from:
            params["from"] = state.run_from.isoformat()
        if until:
            params["until"] = until.isoformat()
    else:
        log(f"{set_spec}: resuming an interrupted harvest from its checkpoint")
        params = {"verb": "ListRecords", "resumptionToken": state.resumption_token}

    while True:
        if should_stop and should_stop():
            result.error = "stopped before the end; the next run resumes here"
            return result
        try:
            page = parse_page(client.get(params))
        except OAIError as exc:
            if exc.code == "badResumptionToken" and "resumptionToken" in params:
                # Tokens expire; start the run again from its `from` (re-loading is harmless).
                log(f"{set_spec}: the checkpoint's token has expired; restarting the run")
                state.resumption_token = ""
                state.save()
                return harvest(
                    set_spec,
                    prefix,
                    state.run_from,
                    state.run_until,
                    client,
                    log,
                    should_stop,
                    notice,
                )
            result.error = str(exc)
            return result
        except HarvestError as exc:
            result.error = str(exc)
            return result
        for identifier, reason in page.skipped:
            if reason != "deleted":
                log(f"  skipped {identifier}: {reason}")
            result.loader.papers.skip(reason)
        # Step 3: the page's papers and the checkpoint commit together.
        try:
            with transaction.atomic():
                result.loader.load_papers(page.records)
                if page.datestamp and (
                    state.run_datestamp is None or page.datestamp > state.run_datestamp
                ):
                    state.run_datestamp = page.datestamp
                state.resumption_token = page.token or ""
                if not page.token:
                    # Step 4: the list is complete.
                    newest = max(
                        filter(None, (state.last_datestamp, state.run_datestamp)), default=None
                    )
                    state.last_datestamp = newest
                    state.run_from = state.run_until = state.run_datestamp = None
                state.save()
        except DATABASE_ERRORS as exc:
            # A read-only database or a full disk: the page rolled back with its checkpoint.
            reason = write_failure(exc)
            if reason is None:
                raise
            result.loader.forget_uncommitted()
            result.error = f"the database cannot be written: {reason}"
            result.write_failed = True
            return result
        result.loader.committed()
        result.pages += 1
        result.records += len(page.records)
        total = f" of {page.complete_size}" if page.complete_size else ""
        log(
            f"{set_spec}: page {result.pages}: {len(page.records)} records, {len(page.skipped)} skipped{total}"
        )
        if not page.token:
            return result
        params = {"verb": "ListRecords", "resumptionToken": page.token}


def harvest_sets(*, log=None, warn=None, should_stop=None, sleep=time.sleep):
    """The worker's harvest: every set of ARXIV_HARVEST_SETS in turn, through one client,
    so arXiv's request interval holds across sets. Its waits are `sleep` (the worker's
    Event.wait ends them on a stop). A set that fails (the database down) is reported on
    `warn` and the next one harvested: the worker tries again at its next harvest.
    Returns the HarvestResults of the sets harvested."""
    log = log or (lambda message: None)
    warn = warn or log
    client = Client(log=log, sleep=sleep)
    results = []
    for set_spec in settings.ARXIV_HARVEST_SETS:
        if should_stop and should_stop():
            break
        try:
            result = harvest(set_spec, client=client, log=log, should_stop=should_stop)
        except Exception as exc:
            warn(f"{set_spec}: harvest failed: {type(exc).__name__}: {exc}")
            continue
        log(f"{set_spec}: {result.pages} pages, " + result.loader.papers.line("papers"))
        if result.error:
            warn(f"{set_spec}: harvest stopped: {result.error}")
        results.append(result)
    return results
