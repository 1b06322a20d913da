"""Marking a query's words in a title or abstract, for search results.

Done here rather than by the database so that it works the same on SQLite and
PostgreSQL, and for results found by meaning as well as by words. A text word matches
a query word when it starts with the query word's stem, approximated by cutting common
English endings ("routing" marks "route", "routed", "routers"). Text is escaped before
any markup is added.
"""

import re
from html import escape

_WORD = re.compile(r"[^\W_]+")
_ENDINGS = (
    "ations",
    "ation",
    "ings",
    "ing",
    "ers",
    "ies",
    "ied",
    "ed",
    "es",
    "er",
    "ly",
    "s",
    "e",
    "y",
)
# What may follow a stem in a marked word.
_TAILS = frozenset(
    _ENDINGS
    + ("", "ion", "ions", "al", "ment", "ments", "ness", "ity", "ities", "ive", "or", "ors")
)
SNIPPET_WORDS = 40


def stem(word):
    word = word.lower()
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def matcher(words):
    """A predicate telling whether a text word matches one of the query's `words`."""
    stems = {stem(w) for w in words if w}
    if not stems:
        return lambda word: False
    pattern = re.compile("|".join(sorted(map(re.escape, stems), key=len, reverse=True)))

    def matches(word):
        lowered = word.lower()
        found = pattern.match(lowered)
        # What follows the stem must be an ending: "rout" marks "routing", not "routine".
        return bool(found) and lowered[found.end() :] in _TAILS

    return matches


def _mark(text, matches):
    out = []
    last = 0
    for match in _WORD.finditer(text):
        if matches(match.group()):
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def marked(text, words):
    """HTML of all of `text` with the query's words marked."""
    return _mark(text or "", matcher(words))


def snippet(text, words, size=SNIPPET_WORDS):
    """HTML of a `size`-word window of `text`, starting a few words before its first
    match, marked, with an ellipsis where text was cut."""
    tokens = (text or "").split()
    if not tokens:
        return ""
    matches = matcher(words)
    start = 0
    if len(tokens) > size:
        for i, token in enumerate(tokens):
            if any(matches(w) for w in _WORD.findall(token)):
                start = max(0, min(i - 8, len(tokens) - size))
                break
    part = _mark(" ".join(tokens[start : start + size]), matches)
    prefix = "… " if start else ""
    suffix = " …" if start + size < len(tokens) else ""
    return prefix + part + suffix
