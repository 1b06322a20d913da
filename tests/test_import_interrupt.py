"""A killed or stopped `dailypapers import arxiv`: its parser process ends with it, a
SIGTERM ends it cleanly with a summary of what was committed, and a re-run completes the
database as if nothing had happened. Real processes, a real import large enough to be parsed
in a child process."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dailypapers.ingest.importing import PARALLEL_MIN_BYTES
from tests.process_helpers import count_rows, own_database
from tests.test_import_arxiv import listing_record

ROOT = Path(__file__).resolve().parents[1]
DAILYPAPERS = [sys.executable, "-m", "dailypapers"]

DUMP = """
import django, json
django.setup()
from dailypapers.papers.models import Paper, PaperCategory
papers = Paper.objects.order_by("arxiv_id").values_list(
    "arxiv_id", "version", "title", "abstract", "authors", "categories", "announced_on", "comment")
categories = PaperCategory.objects.order_by("paper__arxiv_id", "category").values_list("paper__arxiv_id", "category")
print(json.dumps([[list(p) for p in papers], [list(c) for c in categories]], default=str))
"""
COUNT = """
import django
django.setup()
from dailypapers.papers.models import Paper
print(Paper.objects.count())
"""


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("interrupt") / "listings.jsonl"
    with open(path, "w") as fh:
        n = 0
        while fh.tell() < PARALLEL_MIN_BYTES * 5 // 4:
            arxiv_id = f"{2401 + n // 99998}.{n % 99998 + 1:05d}"
            record = listing_record(arxiv_id, summary="An abstract long enough to weigh. " * 12)
            fh.write(json.dumps(record) + "\n")
            n += 1
    return path


def process_env(tmp_path, name):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    env.update({"SECRET_KEY": "test-only", "DATA_DIR": str(tmp_path / name), "EMBED_ON_IMPORT": "0",
                "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "dailypapers.settings"})  # fmt: skip
    own_database(env, f"dp_interrupt_{name}")
    subprocess.run(
        [*DAILYPAPERS, "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return env


def python(env, code):
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def children_of(pid):
    """Live processes whose parent is pid (zombies count as ended)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rpartition(")")[2].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.append(int(entry))
    return found


def alive(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def start_import(env, path):
    # A session of its own, as a terminal's foreground job is: Ctrl-C reaches the group.
    return subprocess.Popen(
        [*DAILYPAPERS, "import", "arxiv", str(path), "--batch-size", "1000", "--no-embed"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip


def wait_mid_run(process, env):
    """Until the parser child and the resource tracker run and a first batch is committed."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "the import ended before it could be interrupted"
        children = children_of(process.pid)
        # Read directly (milliseconds): a count through Django in a process of its own
        # takes a second, long enough on a quick machine for the import to finish.
        if len(children) >= 2 and count_rows(env, "papers_paper") > 0:
            return children
        time.sleep(0.1)
    raise AssertionError("the import never got going")


def wait_gone(pids, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if alive(pid)]


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


@pytest.fixture(scope="module")
def reference(big_file, tmp_path_factory):
    """The database a complete, uninterrupted import gives."""
    env = process_env(tmp_path_factory.mktemp("reference"), "reference")
    result = subprocess.run(
        [*DAILYPAPERS, "import", "arxiv", str(big_file), "--batch-size", "1000", "--no-embed"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return python(env, DUMP)


def test_kill_9_takes_the_parser_with_it_and_a_rerun_completes_the_database(
    big_file, reference, tmp_path
):
    env = process_env(tmp_path, "killed")
    process = start_import(env, big_file)
    children = wait_mid_run(process, env)
    process.kill()
    process.wait(timeout=10)
    assert wait_gone(children) == [], "a child of the killed import is still running"
    rerun = subprocess.run(
        [*DAILYPAPERS, "import", "arxiv", str(big_file), "--batch-size", "1000", "--no-embed"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert python(env, DUMP) == reference


def test_sigterm_ends_the_import_with_a_summary_of_what_was_committed(
    big_file, reference, tmp_path
):
    env = process_env(tmp_path, "stopped")
    process = start_import(env, big_file)
    children = wait_mid_run(process, env)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert "Traceback" not in err and "stopped by SIGTERM" in err
    assert "interrupted after" in out
    assert wait_gone(children) == []
    # The summary's count is what the database holds: the batch in progress rolled back.
    [created] = [line for line in out.splitlines() if line.startswith("papers:")]
    committed = int(python(env, COUNT))
    assert created.startswith(f"papers: {committed} created, 0 updated"), (created, committed)
    assert 0 < committed
    rerun = subprocess.run(
        [*DAILYPAPERS, "import", "arxiv", str(big_file), "--batch-size", "1000", "--no-embed"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert f"{committed} unchanged" in rerun.stdout
    assert python(env, DUMP) == reference


def test_ctrl_c_on_the_terminal_stops_the_import_and_its_parser_cleanly(
    big_file, reference, tmp_path
):
    env = process_env(tmp_path, "ctrl_c")
    process = start_import(env, big_file)
    children = wait_mid_run(process, env)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "stopped by Ctrl-C" in err
    assert wait_gone(children) == []
    [created] = [line for line in out.splitlines() if line.startswith("papers:")]
    assert created.startswith(f"papers: {python(env, COUNT)} created, 0 updated")
