"""Helpers for the discussion tests: a small HTML element tree. The personas (alice, bob,
sam the moderator) and the `entry` featured on one day with its `paper` are fixtures in
conftest.py."""

from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children, self.text = (
            tag,
            dict(attrs),
            parent,
            [],
            "",
        )

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
