"""Parsing XML from remote services (arXiv's Atom API and OAI-PMH endpoint) safely.

Neither service ever sends a DTD, so any DTD is refused unread: no entity is expanded
(billion laughs) and nothing external is fetched. Callers turn an XMLRefused into their
own error message by its `kind`.
"""

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring


class XMLRefused(ValueError):
    """kind: "html" (an HTML error page), "unsafe" (a DTD or entity; detail names which)
    or "malformed" (not well-formed or truncated; detail is the parser's message)."""

    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def parse_remote_xml(data):
    """The root element of `data` (bytes), or XMLRefused."""
    if data[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise XMLRefused("html")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise XMLRefused("unsafe", type(exc).__name__) from None
    except ParseError as exc:
        raise XMLRefused("malformed", str(exc)) from None
