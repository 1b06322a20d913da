"""Stopping a long-running command cleanly: SIGTERM (a supervisor, `kill`) or SIGINT
(Ctrl-C) sets an Event that the command asks between two units of work, instead of
interrupting one half-way. Used by `dailypapers worker` and `dailypapers digest send`."""

import signal
import threading


def stop_on_signals(write, stopping="stopping"):
    """A threading.Event set by SIGTERM or SIGINT from now on; each such signal also
    writes "SIGTERM received: <stopping>" on `write`. Event.wait returns as soon as the
    handler sets it, so a command waiting between jobs stops at once."""
    stop = threading.Event()

    def on_signal(signum, frame):
        write(f"{signal.Signals(signum).name} received: {stopping}")
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return stop
