"""arXiv identifiers.

A paper is keyed by its id without version: new style `2508.10104` (`YYMM.NNNN` before
2015, `YYMM.NNNNN` since), old style `hep-th/9901001` (archive, optional `.SUBJ`, `YYMMNNN`).
"""

import re

# Lengths are bounded (archive names have at most 8 letters, versions stay far below
# 1000) so that a malformed id cannot overflow Paper.arxiv_id (32 characters) or
# Paper.version (a small integer) and stop an import on PostgreSQL.
# New style: 4-digit YYMM, a dot, 4 or 5 digits; optional vN.
_NEW = re.compile(r"(?P<base>\d{4}\.\d{4,5})(?:v(?P<version>\d{1,4}))?", re.ASCII)
# Old style: archive (letters, dashes) with optional .XX subject class, slash, 7 digits.
_OLD = re.compile(
    r"(?P<base>[a-z][a-z\-]{0,15}(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d{1,4}))?", re.ASCII
)

_PREFIXES = re.compile(
    r"^(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|arxiv:)", re.IGNORECASE
)


class InvalidArxivId(ValueError):
    pass


def parse_arxiv_id(text):
    """Return (base_id, version or None) for an id, versioned id or abs/pdf URL.

    Raises InvalidArxivId for anything else.
    """
    if not isinstance(text, str):
        raise InvalidArxivId(f"not an arXiv id: {text!r}")
    value = _PREFIXES.sub("", text.strip())
    if value.endswith(".pdf"):
        value = value[:-4]
    value = value.rstrip("/")
    for pattern in (_NEW, _OLD):
        match = pattern.fullmatch(value)
        if match:
            version = match.group("version")
            return match.group("base"), int(version) if version else None
    raise InvalidArxivId(f"not an arXiv id: {text!r}")


def is_arxiv_id(text):
    """True for a bare id without version (what URLs and the database use as key)."""
    try:
        base, version = parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return version is None and base == text


# Used by URL patterns: matches both id styles (validated again in the view).
URL_PATTERN = r"(?P<arxiv_id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"


# An arXiv category: `cs.CV`, `hep-th`, `cond-mat.stat-mech`, `q-bio.NC`. The importers
# drop anything else (the listings mix MSC and ACM classes such as `68T45` or `I.2.1` into
# their category lists), so every stored category has this shape and fits
# PaperCategory.category and Paper.primary_category (32 characters); the category feeds
# accept the same shape in their URLs.
_CATEGORY = re.compile(r"[a-z][a-z\-]{0,15}(?:\.[A-Za-z][A-Za-z\-]{0,14})?", re.ASCII)


def is_arxiv_category(text):
    return isinstance(text, str) and bool(_CATEGORY.fullmatch(text))
