"""Helpers for the collections tests. The personas (alice, bob, sam) and their logged-in
clients are fixtures in conftest.py; make_collection is in factories.py."""


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []
