"""The commands that run the site (serve, worker, load-demo) live in their own app (which
no app imports: tests/test_layout.py); a command stops on a signal."""

import os
import signal

from django.core.management import get_commands

from dailypapers.core.stopping import stop_on_signals


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
