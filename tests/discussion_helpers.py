"""Personas and helpers for the discussion tests: an author (alice), another reader
(bob), a moderator (mod) and a paper featured on one day."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_entry, make_paper


def make_user(username, **fields):
    return get_user_model().objects.create_user(username, f"{username}@example.org", "pw-long-enough-123", **fields)


@pytest.fixture
def fast_passwords(settings):
    # Argon2 is slow on purpose; these tests never check a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db, fast_passwords):
    return make_user("alice")


@pytest.fixture
def bob(db, fast_passwords):
    return make_user("bob")


@pytest.fixture
def mod(db, fast_passwords):
    return make_user("mod", is_staff=True)


@pytest.fixture
def entry(db):
    return make_entry("2025-03-04", paper=make_paper(arxiv_id="2503.01234", title="Attention again"))


@pytest.fixture
def paper(entry):
    return entry.paper


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], ""

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def has_class(self, name):
        return name in (self.attrs.get("class") or "").split()

    def find_all(self, predicate):
        return [e for e in self.iter() if predicate(e)]

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)


class TreeBuilder(HTMLParser):
    """A small element tree from Python's own HTML parser: enough to see which elements
    and attributes a page really has."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [], None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text += data


def parse(html):
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
