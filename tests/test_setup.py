"""The console command, settings from the environment, and the production server."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dailypapers.papers.models import FeedEntry

ROOT = Path(__file__).resolve().parents[1]
DAILYPAPERS = [sys.executable, "-m", "dailypapers"]


def run(args, env_overrides, tmp_path, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL")}
    env.update({"DATA_DIR": str(tmp_path / "data"), **env_overrides})
    return subprocess.run(
        DAILYPAPERS + args,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_it_refuses_to_start_without_a_secret_key_in_a_production_configuration(tmp_path):
    result = run(["check"], {"ALLOWED_HOSTS": "papers.example.org"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_starts_without_a_secret_key_in_debug(tmp_path):
    result = run(["check"], {"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_malformed_setting_names_the_variable(tmp_path):
    result = run(["check"], {"DEBUG": "maybe"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
    result = run(["check"], {"DEBUG": "1", "FEED_TIME_ZONE": "Mars/Olympus"}, tmp_path)
    assert "FEED_TIME_ZONE='Mars/Olympus' is not a known time zone" in result.stderr


def test_check_deploy_is_clean_in_a_production_configuration(tmp_path):
    env = {
        "SECRET_KEY": "k" * 20 + "-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "papers.example.org",
        "SITE_URL": "https://papers.example.org",
    }
    result = run(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_default_database_is_sqlite_in_wal_mode_in_the_data_dir(tmp_path):
    result = run(["migrate", "-v0"], {"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "data" / "dailypapers.sqlite3"
    assert db.exists()
    import sqlite3

    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_help_lists_our_commands(tmp_path):
    result = run(["help"], {"DEBUG": "1"}, tmp_path)
    for command in ("import", "load-demo", "serve", "migrate", "runserver"):
        assert command in result.stdout
    result = run(["import", "--help"], {"DEBUG": "1"}, tmp_path)
    assert "hf-daily" in result.stdout and "arxiv" in result.stdout


@pytest.mark.django_db
def test_load_demo_fills_the_feed_and_is_idempotent():
    from django.core.management import call_command

    call_command("load-demo")
    entries = FeedEntry.objects.count()
    days = FeedEntry.objects.values("day").distinct().count()
    assert entries > 300 and days == 20
    call_command("load-demo")
    assert FeedEntry.objects.count() == entries


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_the_production_server_with_static_files(tmp_path):
    env = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "127.0.0.1"}
    assert run(["migrate", "-v0"], env, tmp_path).returncode == 0
    assert run(["load-demo"], env, tmp_path).returncode == 0
    port = _free_port()
    full_env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    full_env.update({"DATA_DIR": str(tmp_path / "data"), **env})
    server = subprocess.Popen(
        DAILYPAPERS + ["serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=full_env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        html = None
        for _ in range(100):
            try:
                html = (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
                )
                break
            except OSError:
                time.sleep(0.2)
        assert html and "Daily Papers" in html
        # whitenoise serves the collected, hashed stylesheet.
        import re

        css = re.search(r'href="(/static/dailypapers/site\.[0-9a-f]+\.css)"', html)
        assert css, "stylesheet is not served under a hashed name"
        response = urllib.request.urlopen(f"http://127.0.0.1:{port}{css.group(1)}", timeout=5)
        assert response.status == 200 and "max-age" in response.headers["Cache-Control"]
        assert b"--accent" in response.read()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_commands_on_an_unmigrated_database_say_to_migrate(tmp_path):
    day = tmp_path / "2025-01-10.json"
    day.write_text("[]")
    for args in (["import", "hf-daily", str(day)], ["load-demo"]):
        result = run(args, {"DEBUG": "1"}, tmp_path)
        assert result.returncode != 0
        assert "run `dailypapers migrate` first" in result.stderr
        assert "Traceback" not in result.stderr
