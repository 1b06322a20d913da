"""Parsing XML from remote services (arXiv's Atom API and OAI-PMH endpoint) safely.

Neither service ever sends a DTD, so any DTD is refused unread: no entity is expanded
(billion laughs) and nothing external is fetched. Callers put an XMLRefused's `message()`
in their own error.
"""

import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring


class XMLRefused(ValueError):
    """kind: "html" (an HTML error page; detail is the start of its text), "unsafe" (a DTD
    or entity; detail names which) or "malformed" (not well-formed or truncated; detail is
    the parser's message)."""

    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail

    def message(self, expected):
        """Why the response was refused, in words for the user; `expected` names what should
        have come ("OAI-PMH XML", "an Atom feed")."""
        return {
            "html": f"an HTML page instead of {expected}: {self.detail}",
            "unsafe": f"refused unsafe XML ({self.detail}): DTDs and entities are not allowed",
            "malformed": f"malformed or truncated XML ({self.detail})",
        }[self.kind]


def parse_remote_xml(data):
    """The root element of `data` (bytes), or XMLRefused."""
    if data[:512].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise XMLRefused("html", _snippet(data))
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise XMLRefused("unsafe", type(exc).__name__) from None
    except ParseError as exc:
        raise XMLRefused("malformed", str(exc)) from None


def _snippet(data, limit=120):
    text = re.sub(rb"<[^>]*>", b" ", data[:2000]).decode("utf-8", "replace")
    return repr(" ".join(text.split())[:limit])
