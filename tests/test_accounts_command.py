"""`dailypapers token create|list|revoke`."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dailypapers.accounts.models import ApiToken, hash_token
from dailypapers.accounts.tokens import user_for_token

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_only(alice):
    out, _ = run("create", "alice", "--name", "import script")
    token = out.strip()
    assert out == token + "\n" and token.startswith("dp_")
    assert user_for_token(token) == alice
    row = ApiToken.objects.get()
    assert row.name == "import script" and row.key_hash == hash_token(token)


def test_create_for_an_unknown_user_is_a_clear_error(alice):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run("create", "nobody")
    assert not ApiToken.objects.exists()


def test_create_for_an_inactive_user_is_refused(alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(CommandError, match="not an active account"):
        run("create", "alice")


def test_list_and_revoke(alice):
    token = run("create", "alice", "--name", "ci")[0].strip()
    out, _ = run("list", "alice")
    assert out.startswith(token[:10] + "\tci\tcreated ") and "never used" in out
    assert token not in out

    out, _ = run("revoke", token[:10])
    assert out == f"revoked {token[:10]} of alice\n"
    assert user_for_token(token) is None
    _, err = run("list", "alice")
    assert "alice has no API tokens" in err
    with pytest.raises(CommandError, match="no token with prefix"):
        run("revoke", token[:10])
    with pytest.raises(CommandError, match="no token with prefix"):
        run("revoke", "dp_")


def test_help_says_how_to_use_it():
    result = subprocess.run(
        [sys.executable, "-m", "dailypapers", "token", "--help"],
        capture_output=True,
        text=True,
        env={"SECRET_KEY": "x", "PATH": ""},
        check=True,
    )
    assert "TOKEN=$(dailypapers token create alice)" in result.stdout
    assert "create,list,revoke" in result.stdout
