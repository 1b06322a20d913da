"""Reading an arXiv JSONL file as batches of parsed records, in this process or in a
child process. Framework-free (no Django), so that a spawned child can import it. The same for
Hugging Face day files.
"""

import multiprocessing
import os
import queue
import signal
import zlib
from dataclasses import dataclass, field

from dailypapers.ingest.formats import open_bytes
from dailypapers.ingest.formats.arxiv_jsonl import parse_arxiv_line
from dailypapers.ingest.formats.hf_daily import parse_hf_daily_file
from dailypapers.ingest.records import RecordError

MAX_LISTED_BAD_LINES = 50  # bad lines reported one by one; the rest are only counted


@dataclass
class ParsedBatch:
    """What the parser hands the writer: up to batch_size records, and the bad lines."""

    records: list
    bad_count: int = 0
    bad_lines: list = field(default_factory=list)  # (line number, reason), the first few
    position: int = 0  # bytes of the (compressed) file read so far, for the progress bar
    failure: str | None = None  # set on the last batch when the file stopped making sense


def parse_jsonl_batches(path, batch_size):
    """Read and parse an arXiv JSONL file into ParsedBatches. Framework-free, so it can run
    in a child process (see from_child)."""
    listed = 0
    with open_bytes(path) as fh:
        raw = getattr(fh, "fileobj", None) or getattr(fh, "raw", None)
        batch = ParsedBatch(records=[])
        number = 0
        try:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    batch.records.append(parse_arxiv_line(line))
                except RecordError as exc:
                    batch.bad_count += 1
                    if listed < MAX_LISTED_BAD_LINES:
                        batch.bad_lines.append((number, str(exc)))
                        listed += 1
                if len(batch.records) >= batch_size:
                    batch.position = _tell(raw)
                    yield batch
                    batch = ParsedBatch(records=[])
        except (OSError, EOFError, zlib.error) as exc:
            # A truncated or corrupt gzip (an interrupted download): keep what was read,
            # and say where the file stopped making sense.
            batch.failure = f"unreadable after line {number}: {exc}"
        batch.position = _tell(raw)
        yield batch


def _tell(raw):
    try:
        return raw.tell() if raw is not None else 0
    except (OSError, ValueError):
        return 0


def parse_hf_files(paths):
    """parse_hf_daily_file for each path, in order (for from_child)."""
    for path in paths:
        yield parse_hf_daily_file(path)


def _die_with_parent():
    """Linux: the kernel kills this process when the one that started it dies (kill -9
    included), instead of leaving it blocked on a full queue forever. Elsewhere the
    put loop below notices the parent is gone within a second."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _put(results, item, parent):
    while True:
        try:
            results.put(item, timeout=1)
            return
        except queue.Full:
            if os.getppid() != parent:
                # The parent is gone: nobody reads the queue; exit without flushing it.
                results.cancel_join_thread()
                raise SystemExit(1) from None


def _run_in_child(generator, args, results, parent):
    _die_with_parent()
    if os.getppid() != parent:  # died before the line above took effect
        return
    # Ctrl-C reaches the whole process group: the parent stops this process itself,
    # after reporting what it committed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        for item in generator(*args):
            _put(results, item, parent)
        _put(results, None, parent)
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        _put(results, exc if isinstance(exc, Exception) else RuntimeError(repr(exc)), parent)


def from_child(generator, args, queue_size=2):
    """Iterate `generator(*args)` run in a child process, so that parsing (about 40% of
    an import) overlaps with the database writes in this one. At most `queue_size` items
    wait in the queue: memory stays bounded. The child is spawned fresh (not forked) so
    that it shares no database connection with this process; `generator` must be a
    module-level function of a module that does not need Django."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue(maxsize=queue_size)
    child = context.Process(
        target=_run_in_child,
        args=(generator, args, results, os.getpid()),
        name="dailypapers-parse",
        daemon=True,
    )
    child.start()
    try:
        while True:
            try:
                item = results.get(timeout=1)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(
                        f"the parser process stopped (exit code {child.exitcode})"
                    ) from None
                continue
            if item is None:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        # Also on KeyboardInterrupt/SIGTERM (the import command turns SIGTERM into one) and
        # when the caller stops reading: the child never outlives the import.
        if child.is_alive():
            child.terminate()
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
            child.join(timeout=5)
        results.close()
        results.cancel_join_thread()
