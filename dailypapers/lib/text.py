"""Text clean-up shared by the importers."""

import re

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")


def collapse(text):
    """One line, single spaces: for titles, names and comparisons."""
    return " ".join(text.split()) if text else ""


def clean_abstract(text):
    """arXiv abstracts are hard-wrapped at ~80 columns; keep paragraphs, unwrap lines."""
    if not text:
        return ""
    if "\n\n" not in text and not _PARAGRAPH_BREAK.search(text):
        return " ".join(text.split())
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)
