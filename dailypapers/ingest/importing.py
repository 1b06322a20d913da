"""The two import jobs behind `dailypapers import`, usable from code and tests.

Each returns a report (per-file fates and created/updated/unchanged/skipped tallies)
and never stops on one bad file or line.
"""

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from dailypapers.core.dbfailures import DATABASE_ERRORS, write_failure
from dailypapers.ingest.batches import from_child, parse_hf_files, parse_jsonl_batches
from dailypapers.ingest.formats import open_bytes
from dailypapers.ingest.formats.hf_daily import iter_hf_paths
from dailypapers.ingest.loader import DEFAULT_BATCH_SIZE, Loader

# Below this size input is parsed in this process: starting a child costs more than the
# overlap saves.
PARALLEL_MIN_BYTES = 8 * 1024 * 1024


@contextmanager
def _ending_cleanly(report, child):
    """Around an import's loading: Ctrl-C (or a stop asked for) ends it between batches
    with what was committed, a database that cannot be written stops it with a message,
    and the parser child (`child`, from batches.from_child, when parsing runs there) ends
    whatever happens."""
    try:
        yield
    except KeyboardInterrupt:
        report.interrupted = True
        report.loader.forget_uncommitted()
    except DATABASE_ERRORS as exc:
        _stopped_by(report, exc)
    finally:
        if child is not None:
            child.close()  # ends the parser process


def _stopped_by(report, exc):
    """A database that cannot be written ends the run with its summary; other errors raise."""
    reason = write_failure(exc)
    if reason is None:
        raise exc
    report.stopped = reason
    report.loader.forget_uncommitted()


def _size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


@dataclass
class ImportReport:
    loader: Loader
    files: list = field(default_factory=list)  # (path, fate text, ok?)
    bad_lines: list = field(default_factory=list)  # (path, line number, reason)
    records_read: int = 0
    # Set when Ctrl-C or SIGTERM stopped the run, or (`stopped`: why) when the database
    # could not be written (read-only, disk full): the tallies are then those committed.
    interrupted: bool = False
    stopped: str | None = None

    @property
    def papers(self):
        return self.loader.papers

    @property
    def entries(self):
        return self.loader.entries


def import_hf_daily(
    paths,
    *,
    progress=False,
    batch_size=DEFAULT_BATCH_SIZE,
    parallel=None,
    demo=False,
    should_stop=None,
):
    """Import Hugging Face `api/daily_papers` responses (files or directories).

    `parallel` parses in a child process (None: when the files are large together); `demo`
    is load-demo's import, which leaves the site's demo state alone (core/demo.py).
    `should_stop()` true ends the run between two batches (report.interrupted)."""
    loader = Loader(batch_size=batch_size, real_data=not demo, should_stop=should_stop)
    report = ImportReport(loader=loader)
    files = list(iter_hf_paths(paths))
    if parallel is None:
        parallel = sum(_size(path) for path in files) >= PARALLEL_MIN_BYTES
    # Day files are small: let many wait, as the writer takes them in batches.
    results = (
        from_child(parse_hf_files, (files,), queue_size=256) if parallel else parse_hf_files(files)
    )
    with _ending_cleanly(report, results if parallel else None):
        _load_hf_results(report, results, len(files), progress, batch_size)
    return report


def _load_hf_results(report, results, count, progress, batch_size):
    loader = report.loader
    pending = []
    for result in tqdm(results, total=count, desc="HF days", unit="file", disable=not progress):
        path = result.path
        if result.error:
            report.files.append((path, f"skipped: {result.error}", False))
            continue
        fate = f"{len(result.entries)} entries"
        if result.notes:
            fate += " (" + "; ".join(result.notes) + ")"
        report.files.append((path, fate, True))
        report.records_read += len(result.entries)
        pending.extend(result.entries)
        if len(pending) >= batch_size:
            loader.flush_entries(pending)
            pending = []
    if pending:
        loader.flush_entries(pending)


def import_arxiv_jsonl(
    path, *, progress=False, batch_size=DEFAULT_BATCH_SIZE, parallel=None, should_stop=None
):
    """Import arXiv metadata JSONL (bulk-snapshot or listing format, plain or gzip).

    `parallel` parses in a child process (None: when the file is large); `should_stop()`
    true ends the run between two batches (report.interrupted)."""
    path = Path(path)
    loader = Loader(batch_size=batch_size, real_data=True, should_stop=should_stop)
    report = ImportReport(loader=loader)
    try:
        total = os.path.getsize(path)
        open_bytes(path).close()
    except OSError as exc:
        report.files.append((path, f"skipped: unreadable: {exc}", False))
        return report
    if parallel is None:
        parallel = total >= PARALLEL_MIN_BYTES
    batches = (
        from_child(parse_jsonl_batches, (path, batch_size))
        if parallel
        else parse_jsonl_batches(path, batch_size)
    )
    failure = None
    with _ending_cleanly(report, batches if parallel else None):
        with tqdm(
            total=total, desc=path.name, unit="B", unit_scale=True, disable=not progress
        ) as bar:
            for batch in batches:
                loader.check_stop()
                if batch.bad_count:
                    loader.papers.skip("malformed line", batch.bad_count)
                report.bad_lines.extend(
                    (path, number, reason) for number, reason in batch.bad_lines
                )
                report.records_read += len(batch.records)
                loader.papers_in_batches(batch.records)
                bar.update(max(0, batch.position - bar.n))
                failure = batch.failure or failure
            bar.update(total - bar.n)
    if report.interrupted or report.stopped:
        report.files.append((path, f"interrupted after {report.records_read} records read", False))
    elif failure:
        report.files.append((path, f"{report.records_read} records, then {failure}", False))
    else:
        report.files.append((path, f"{report.records_read} records", True))
    return report
