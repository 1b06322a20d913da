"""`dailypapers worker` as a real process: it harvests, then stops cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.fake_server import FakeServer, Reply
from tests.test_oai_harvest import HEP_EX, fixture


def start_worker(tmp_path, server_url):
    env = {
        **os.environ,
        "SECRET_KEY": "test-only",
        "DATA_DIR": str(tmp_path),  # its own SQLite file, whatever DATABASE_URL the tests use
        "ARXIV_OAI_URL": server_url + "/oai",
        "ARXIV_REQUEST_INTERVAL": "0",
        "ARXIV_HARVEST_SETS": "physics:hep-ex",
    }
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "dailypapers"]
    subprocess.run([*command, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    return subprocess.Popen(
        [*command, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_it_harvests_then_exits_0_promptly_on_a_signal(tmp_path, signum):
    body = fixture(HEP_EX)
    with FakeServer(lambda request: Reply(body=body)) as server:
        worker = start_worker(tmp_path, server.url)
        try:
            deadline = time.monotonic() + 30
            while not server.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.requests, "the worker never asked the OAI server"
            time.sleep(0.5)  # let it commit the page and start waiting
            sent = time.monotonic()
            worker.send_signal(signum)
            out, err = worker.communicate(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
    assert worker.returncode == 0, err
    assert time.monotonic() - sent < 5
    assert "physics:hep-ex: 1 pages, papers: 3 created" in out
    assert out.rstrip().endswith("worker stopped")
