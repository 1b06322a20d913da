"""The SECRET_KEY of a local checkout: generated once, kept in DATA_DIR next to the SQLite
database, so that `make run`'s development server and the `dailypapers` commands typed in
the same checkout sign (sessions, digest links, confirmation links) with the same key.

Used by settings.py only when SECRET_KEY is unset and the configuration is not a production
one; `dailypapers serve` still refuses to run on such a key
(processes/management/commands/serve.py).
"""

import os
import secrets
import sys
from pathlib import Path

FILE_NAME = "secret_key"


def local_secret_key(data_dir):
    """The key stored in data_dir/secret_key, created (mode 0600) on first use.

    Created atomically: written to a temporary file, then hard-linked under its final name,
    which fails if another process got there first (its key is then the one read)."""
    path = Path(data_dir) / FILE_NAME
    key = _read(path)
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(temporary, path)
            created = True
        except FileExistsError:
            created = False
    finally:
        temporary.unlink(missing_ok=True)
    if created:
        print(
            f"SECRET_KEY is not set: generated a local key in {path} (kept for this DATA_DIR). "
            "In production set SECRET_KEY instead.",
            file=sys.stderr,
        )
    return _read(path)


def _read(path):
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""
