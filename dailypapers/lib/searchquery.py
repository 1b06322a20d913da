"""What a search box's text means, independent of the database that answers it.

People type words ("mixture of experts routing"), quoted phrases ("vision transformer"),
author names, pasted paragraphs, and occasionally operators or junk. Every input parses:
words are runs of letters and digits in any script, a phrase is the words between a pair
of double quotes (matched as a phrase, which ranks first, and as words), everything else
(operators, brackets, emoji, stray quotes) separates words. Common English words are dropped when the query has others, so that a long
natural-language query does not match the whole catalogue; the rest are ORed and the
ranking (BM25 on SQLite, ts_rank on PostgreSQL) decides, as classic retrieval does.

`fts5_match` turns a parsed query into SQLite FTS5 syntax with every word quoted, so no
user text is ever read as an FTS5 operator.
"""

import re
from dataclasses import dataclass

# The longest query, as on Hugging Face: the search page and the API refuse longer ones
# with a 400 (dailypapers/search/views.py, api/catalogue.py) and show no more of them;
# other callers' text is cut here. The cost of a query grows with its terms.
MAX_QUERY_CHARS = 250
MAX_TERMS = 64
MAX_PHRASE_WORDS = 8

_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')

# Function words of English: they carry no topic and match nearly every abstract.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves also may might must shall us via using based towards toward
    within without among upon per
    """.split()
)


@dataclass(frozen=True)
class ParsedQuery:
    # Lower-cased single words to match (stopwords removed when others remain).
    terms: tuple[str, ...]
    # Quoted phrases: each a tuple of lower-cased words, matched in order.
    phrases: tuple[tuple[str, ...], ...]
    # The cleaned text, for embedding: the query as the person wrote it, trimmed.
    text: str

    @property
    def empty(self):
        return not self.terms and not self.phrases

    def words(self):
        """Every word the query matches on, phrases included (for highlighting)."""
        seen = dict.fromkeys(self.terms)
        for phrase in self.phrases:
            seen.update(dict.fromkeys(phrase))
        return list(seen)


def _words(text):
    return [w.lower() for w in _WORD.findall(text)]


def parse_query(text):
    """Parse anything a person can type; never raises."""
    if not isinstance(text, str):
        text = ""
    # Lone surrogates (half an emoji from a broken client) cannot be encoded anywhere.
    text = text.encode("utf-8", "replace").decode("utf-8")[:MAX_QUERY_CHARS]
    text = text.replace("\x00", " ")
    phrases = []
    for match in _PHRASE.finditer(text):
        words = _words(match.group(1))[:MAX_PHRASE_WORDS]
        if len(words) > 1:
            phrases.append(tuple(words))
    # A phrase also counts as its words: in a ranked (OR) search the phrase lifts the
    # papers that have it to the top, and papers with the words apart still follow.
    outside = _PHRASE.sub(lambda m: " " + m.group(1) + " ", text)
    # Repeated words are kept: a word said twice weighs twice in the ranking, as in
    # classic retrieval (measured: +0.04 nDCG@10 on CACM, whose queries repeat words).
    words = _words(outside)
    content = [w for w in words if w not in STOPWORDS]
    terms = content if (content or phrases) else words
    phrases = list(dict.fromkeys(phrases))
    budget = MAX_TERMS - len(phrases)
    return ParsedQuery(
        terms=tuple(terms[: max(budget, 0)]),
        phrases=tuple(phrases[:MAX_TERMS]),
        text=" ".join(text.split()),
    )


def _fts5_string(words):
    # Words hold only letters and digits, so no quote can occur; quoting makes FTS5 read
    # them as strings even when a word is AND, OR, NOT or NEAR.
    return '"' + " ".join(words) + '"'


def fts5_match(query):
    """The FTS5 MATCH expression for a parsed query ("" when it has nothing to match)."""
    parts = [_fts5_string([t]) for t in query.terms]
    parts += [_fts5_string(p) for p in query.phrases]
    return " OR ".join(parts)
