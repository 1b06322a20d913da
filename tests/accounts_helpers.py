"""Helpers for the accounts tests. The personas (alice, bob, sam, ...) are fixtures in
conftest.py; make_user and PASSWORD are in factories.py."""

import re


def link_in(message):
    """The first http(s) link in an email's text body."""
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)
