"""`dailypapers serve` (gunicorn) started for real on a free loopback port, against a
database every worker shares: a migrated SQLite file, or on PostgreSQL the test
database itself (the test then uses `transactional_db`, so the server sees committed
rows and they are flushed after).

    def test_x(served):
        server = served(workers=4, env={"BEHIND_PROXY": "1"})
        status, headers, body = server.request("POST", "/subscribe", form={...})
"""

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest
from django.conf import settings as django_settings
from django.db import connection

DAILYPAPERS = [sys.executable, "-m", "dailypapers"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(name):
    """DATABASE_URL with the test database's name in place of the configured one."""
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    return urllib.parse.urlunsplit(url._replace(path="/" + name))


class Server:
    def __init__(self, process, port, log):
        self.process, self.port, self.log = process, port, log

    def request(self, method, path, form=None, headers=None, body=None, timeout=30):
        """(status, headers, body) of one request on its own connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def raw(self, data, timeout=30):
        """Send bytes as they are; the server's reply (bytes) until it closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)

    def output(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def served(request, tmp_path):
    """A factory: served(workers=4, env={...}) starts the server and waits for it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    env.update(
        {
            "SECRET_KEY": "test-only-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATA_DIR": str(tmp_path / "data"),
            "SEMANTIC_SEARCH": "0",
            "EMBED_ON_IMPORT": "0",
        }
    )
    if connection.vendor == "postgresql":
        request.getfixturevalue("transactional_db")
        env["DATABASE_URL"] = _database_url(django_settings.DATABASES["default"]["NAME"])
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'served.sqlite3'}"
        migrated = subprocess.run(
            DAILYPAPERS + ["migrate", "-v0"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrated.returncode == 0, migrated.stderr
    started = []

    def start(workers=4, env_overrides=None):
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        process = subprocess.Popen(
            DAILYPAPERS + ["serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            env={**env, **(env_overrides or {})}, cwd=tmp_path, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        server = Server(process, port, log)
        started.append(server)
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, server.output()
            try:
                status, _, _ = server.request("GET", "/subscribe", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not start:\n" + server.output()
            time.sleep(0.2)
        # Every worker up (gunicorn logs one "Booting worker" line each).
        while server.output().count("Booting worker") < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        return server

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
