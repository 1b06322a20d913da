"""Where the site's process-level pieces live: `core` is infrastructure every app may import
and imports none of them; the commands that run the site (serve, worker, load-demo) sit in
their own app above the others, which none imports back; a command stops on a signal."""

import ast
import os
import signal
from pathlib import Path

from django.core.management import get_commands

from dailypapers.core.stopping import stop_on_signals

PACKAGE = Path(__file__).resolve().parents[1] / "dailypapers"
APPS_ABOVE_CORE = (
    "papers", "search", "ingest", "digests", "community", "discussion", "collections",
    "accounts", "feeds", "api", "processes",
)  # fmt: skip


def imported_modules(path):
    """Every module a file imports, at its top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def imports_of_apps(directory, apps):
    found = []
    for path in sorted(directory.rglob("*.py")):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "dailypapers" and len(parts) > 1 and parts[1] in apps:
                found.append(f"{path.relative_to(PACKAGE)}: {module}")
    return found


def test_core_imports_no_product_app():
    assert imports_of_apps(PACKAGE / "core", APPS_ABOVE_CORE) == []


def test_no_other_part_of_the_site_imports_the_processes_app():
    found = []
    for directory in sorted(PACKAGE.iterdir()):
        if directory.is_dir() and directory.name != "processes":
            found += imports_of_apps(directory, ("processes",))
    assert found == []


def test_the_commands_that_run_the_site_live_in_the_processes_app():
    commands = get_commands()
    assert {name: commands[name] for name in ("serve", "worker", "load-demo")} == dict.fromkeys(
        ("serve", "worker", "load-demo"), "dailypapers.processes"
    )


def test_a_signal_sets_the_stop_event_and_says_what_stops():
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    said = []
    try:
        stop = stop_on_signals(said.append, "stopping after the current message")
        assert not stop.is_set()
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(5)
        os.kill(os.getpid(), signal.SIGINT)  # a second signal: said again, no KeyboardInterrupt
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    assert said == [
        "SIGTERM received: stopping after the current message",
        "SIGINT received: stopping after the current message",
    ]
