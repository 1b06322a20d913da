"""`dailypapers worker` as a real process: it harvests, then stops cleanly on SIGTERM."""

import signal
import subprocess
import time

import pytest

from tests.fake_server import FakeServer, Reply
from tests.test_oai_harvest import DAILYPAPERS, HEP_EX, fixture, process_env


def start_worker(tmp_path, server_url):
    env = process_env(tmp_path, server_url)
    return subprocess.Popen(
        [*DAILYPAPERS, "worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
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
