"""The `dailypapers` command as the README writes it: in a checkout, with the environment a
new user has (no DEBUG, no SECRET_KEY), every command line the README shows works."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DAILYPAPERS = [sys.executable, "-m", "dailypapers"]
DEMO_DAY = ROOT / "dailypapers" / "demo" / "hf_daily" / "2026-07-27.json.gz"
# What a new user's shell does not have; the rest of the environment (PATH, HOME) stays.
UNSET = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "EMAIL_HOST",
    "DATA_DIR",
)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in UNSET and not k.startswith("DJANGO_")}
    env.update(extra)
    return env


def run(args, data_dir, cwd=None, env=None, timeout=180):
    env = env or clean_env(DATA_DIR=str(data_dir))
    return subprocess.run(
        DAILYPAPERS + list(args), env=env, cwd=cwd or data_dir.parent, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def assert_clean(result, args):
    assert result.returncode == 0, (
        f"dailypapers {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


# --- the README's command lines -------------------------------------------------------------

COMMAND_WORD = re.compile(r"[a-z][a-z-]*(\|[a-z][a-z-]*)*")


def readme_command_lines():
    """Every `dailypapers …` command line of the README: in code blocks and in inline code."""
    text = README.read_text()
    lines = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M):
        lines += [line.split("#", 1)[0] for line in block.splitlines()]
    lines += re.findall(r"`([^`\n]*dailypapers [^`\n]*)`", text)
    found = []
    for line in lines:
        start = line.find("dailypapers ")
        if start >= 0 and (start == 0 or line[start - 1] in " (;&|"):
            found.append(line[start:].strip())
    return found


def command_words(line):
    """`dailypapers token create|list|revoke USERNAME` -> [token create], [token list], …:
    the command and subcommand words, up to the first placeholder, path or option."""
    words = []
    for token in line.split()[1:]:
        if not COMMAND_WORD.fullmatch(token):
            break
        words.append(token.split("|"))
    if not words:
        return []
    *head, last = words
    return [[*(w[0] for w in head), alternative] for alternative in last]


def readme_commands():
    commands = {}
    for line in readme_command_lines():
        for words in command_words(line):
            commands[" ".join(words)] = words
    return list(commands.values())


def test_the_readme_parser_finds_the_commands_it_shows():
    found = {" ".join(words) for words in readme_commands()}
    assert {
        "import hf-daily", "import arxiv", "load-demo", "fetch", "harvest", "worker", "embed",
        "search-index", "eval-search", "token create", "token revoke", "digest build",
        "digest send", "subscribers add", "subscribers remove", "migrate", "check", "serve",
        "createsuperuser",
    } <= found, found  # fmt: skip


def test_every_readme_command_answers_help_without_debug_or_a_secret_key(tmp_path):
    data_dir = tmp_path / "data"
    commands = readme_commands()

    def help_of(words):
        return words, run([*words, "--help"], data_dir)

    # The first run creates the local key; the others start together (each alone is the
    # time of a Django start-up).
    first, *rest = commands
    results = [help_of(first)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results += list(pool.map(help_of, rest))
    for words, result in results:
        assert_clean(result, [*words, "--help"])
        assert f"usage: dailypapers {' '.join(words)}" in result.stdout, result.stdout


def test_the_readme_commands_run_for_real_on_a_new_database(tmp_path):
    data_dir = tmp_path / "data"
    arxiv_file = tmp_path / "listing.jsonl"
    arxiv_file.write_text(
        json.dumps({"id": "2503.00001", "title": "A real paper", "authors": ["Grace Hopper"],
                    "categories": ["cs.CL"], "summary": "About something.", "listing_date": "2025-03-18"})
        + "\n"
    )  # fmt: skip
    env = clean_env(DATA_DIR=str(data_dir), DJANGO_SUPERUSER_PASSWORD="a long test password 1")
    steps = [
        (["migrate", "--noinput"], "Applying"),
        (["check", "--deploy"], "SECRET_KEY is not set"),
        (["load-demo"], "Demo data: 20 days"),
        (["load-demo"], "Demo data not loaded: the demo data is already loaded"),
        (["import", "hf-daily", str(DEMO_DAY), "--no-embed"], "feed entries:"),
        (["import", "arxiv", str(arxiv_file), "--no-embed"], "papers: 1 created"),
        (["load-demo"], "Demo data not loaded: the catalogue already holds papers"),
        (["subscribers", "add", "ada@example.org", "--weekly"], "1 added"),
        (["subscribers", "add", "bob@example.org", "--weekly", "--confirmed"], "1 added"),
        (["digest", "build"], "queued"),
        (["digest", "send"], "sent"),
        (["subscribers", "remove", "bob@example.org"], ""),
        (
            ["createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.org"],
            "",
        ),
        (["token", "create", "admin"], ""),
        (["token", "list", "admin"], ""),
    ]
    for args, expected in steps:
        result = run(args, data_dir, env=env)
        assert_clean(result, args)
        assert expected in result.stdout + result.stderr, (args, result.stdout, result.stderr)
    # Mail went to the console, as under `make run`, not to a missing SMTP server.
    assert (data_dir / "secret_key").exists()


def test_the_help_lists_our_commands_first_one_line_each(tmp_path):
    result = run(["--help"], tmp_path / "data")
    assert_clean(result, ["--help"])
    from django.core.management import get_commands

    ours = sorted(name for name, app in get_commands().items() if app.startswith("dailypapers"))
    lines = result.stdout.splitlines()
    listed = {
        line.split()[0]: line
        for line in lines
        if line.startswith("  ") and not line.startswith("  [")
    }
    assert sorted(listed) == ours
    for name in ours:
        summary = listed[name][len(name) + 2 :].strip()
        assert 10 < len(summary) <= 80, listed[name]
    django_part = result.stdout.index("Django's commands")
    assert all(result.stdout.index(f"  {name} ") < django_part for name in ours)
    assert "migrate" in result.stdout[django_part:] and "runserver" in result.stdout[django_part:]
    # `dailypapers` alone and `dailypapers help` say the same.
    assert run([], tmp_path / "data").stdout == result.stdout
    assert run(["help"], tmp_path / "data").stdout == result.stdout


KEY_OF = (
    "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)


def test_a_checkout_without_secret_key_keeps_one_generated_key_in_the_data_dir(tmp_path):
    data_dir = tmp_path / "data"
    env = clean_env(DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="dailypapers.settings")
    first = subprocess.run(
        [sys.executable, "-c", KEY_OF], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert "generated a local key" in first.stderr
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.stdout.strip() == key_file.read_text().strip() and len(first.stdout.strip()) >= 50
    # The development server (`make run`: DEBUG=1) and the next commands use the same key.
    again = subprocess.run(
        [sys.executable, "-c", KEY_OF],
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert again.stdout == first.stdout and "generated" not in again.stderr


def test_a_production_configuration_without_secret_key_refuses_to_start(tmp_path):
    for extra in (
        {"ALLOWED_HOSTS": "papers.example.org"},
        {"SITE_URL": "https://papers.example.org"},
    ):
        env = clean_env(DATA_DIR=str(tmp_path / "data"), **extra)
        for args in (["check"], ["import", "--help"]):
            result = run(args, tmp_path / "data", env=env)
            assert result.returncode != 0
            assert "SECRET_KEY is not set" in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "data" / "secret_key").exists()


def test_serve_refuses_the_generated_key(tmp_path):
    result = run(["serve", "--bind", "127.0.0.1:1"], tmp_path / "data")
    assert result.returncode != 0
    assert "SECRET_KEY is not set: `dailypapers serve` is the production server" in result.stderr
    assert "Traceback" not in result.stderr


# --- a fresh checkout -------------------------------------------------------------------------


def _checkout_files():
    """What a clone of the current work would hold: tracked and new files, not ignored ones."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    return [name for name in listed if name and (ROOT / name).is_file()]


def test_a_fresh_checkout_runs_the_readme_commands(tmp_path):
    """The files git would give a new user (no data/, no generated key, no .venv), run by this
    virtualenv's interpreter: its code is imported from the checkout, not from this tree."""
    checkout = tmp_path / "dailypapers-clone"
    for name in _checkout_files():
        target = checkout / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    env = clean_env(PYTHONPATH=str(checkout))
    where = subprocess.run(
        [sys.executable, "-c", "import dailypapers; print(dailypapers.__file__)"],
        env=env, cwd=checkout, capture_output=True, text=True,
    )  # fmt: skip
    assert where.stdout.strip() == str(checkout / "dailypapers" / "__init__.py")
    # `make run`'s steps without DEBUG=1, then the README's commands.
    for args in (["migrate", "--noinput"], ["load-demo"], ["--help"], ["import", "hf-daily", "--help"],
                 ["import", "hf-daily", str(checkout / "dailypapers/demo/hf_daily/2026-07-28.json.gz"), "--no-embed"]):  # fmt: skip
        result = run(args, checkout / "data", cwd=checkout, env=env)
        assert_clean(result, args)
    assert (checkout / "data" / "dailypapers.sqlite3").exists()
