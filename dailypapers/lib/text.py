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


# Characters XML 1.0 cannot hold: C0 controls other than tab, newline and carriage return;
# the noncharacters U+FFFE and U+FFFF; lone surrogates (which no UTF-8 encoder accepts
# either). NUL is one of them: PostgreSQL text cannot hold it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text):
    """`text` without the characters XML cannot hold (see _NOT_XML); anything else as is."""
    if not text or not isinstance(text, str):
        return text
    return _NOT_XML.sub("", text)
