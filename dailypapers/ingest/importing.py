"""The two import jobs behind `dailypapers import`, usable from code and tests.

Each returns a report (per-file fates and created/updated/unchanged/skipped tallies)
and never stops on one bad file or line.
"""

import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from dailypapers.ingest.loader import Loader
from dailypapers.ingest.records import (
    RecordError,
    iter_hf_paths,
    open_bytes,
    parse_arxiv_line,
    parse_hf_daily_file,
)


@dataclass
class ImportReport:
    loader: Loader
    files: list = field(default_factory=list)  # (path, fate text, ok?)
    bad_lines: list = field(default_factory=list)  # (path, line number, reason)
    records_read: int = 0

    @property
    def papers(self):
        return self.loader.papers

    @property
    def entries(self):
        return self.loader.entries


MAX_LISTED_BAD_LINES = 50


def import_hf_daily(paths, *, progress=False, batch_size=2000):
    """Import Hugging Face `api/daily_papers` responses (files or directories)."""
    loader = Loader(batch_size=batch_size)
    report = ImportReport(loader=loader)
    files = list(iter_hf_paths(paths))
    pending = []
    for path in tqdm(files, desc="HF days", unit="file", disable=not progress):
        result = parse_hf_daily_file(path)
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
    return report


def import_arxiv_jsonl(path, *, progress=False, batch_size=2000):
    """Import arXiv metadata JSONL (bulk-snapshot or listing format, plain or gzip)."""
    path = Path(path)
    loader = Loader(batch_size=batch_size)
    report = ImportReport(loader=loader)
    try:
        total = os.path.getsize(path)
        fh = open_bytes(path)
    except OSError as exc:
        report.files.append((path, f"skipped: unreadable: {exc}", False))
        return report
    failure = None
    with fh, tqdm(total=total, desc=path.name, unit="B", unit_scale=True, disable=not progress) as bar:
        raw = getattr(fh, "fileobj", None) or getattr(fh, "raw", None)

        def records():
            nonlocal failure
            last = number = 0
            try:
                for number, line in enumerate(fh, start=1):
                    if number % 1000 == 0 and raw is not None:
                        try:
                            position = raw.tell()
                        except (OSError, ValueError):
                            position = last
                        bar.update(position - last)
                        last = position
                    if not line.strip():
                        continue
                    try:
                        record = parse_arxiv_line(line)
                    except RecordError as exc:
                        loader.papers.skip("malformed line")
                        if len(report.bad_lines) < MAX_LISTED_BAD_LINES:
                            report.bad_lines.append((path, number, str(exc)))
                        continue
                    report.records_read += 1
                    yield record
            except (OSError, EOFError, zlib.error) as exc:
                # A truncated or corrupt gzip (an interrupted download): keep what was
                # read, and say where the file stopped making sense.
                failure = f"unreadable after line {number}: {exc}"
            bar.update(total - last)

        loader.papers_in_batches(records())
    if failure:
        report.files.append((path, f"{report.records_read} records, then {failure}", False))
    else:
        report.files.append((path, f"{report.records_read} records", True))
    return report
