"""Reading and writing bibliographies: BibTeX, RIS and plain lists of arXiv ids.

`read_references(data, filename="")` takes an uploaded file (bytes) or pasted text (str),
finds its format and returns a `Reading`: the references found (arXiv id, DOI, title,
authors, year, citation key), the problems met (each with where it was: "entry 7
(smith2020), line 40", "line 12") and the format. Bad entries are reported and skipped, the
rest kept; only input that is not text, or is larger than MAX_BYTES / MAX_ENTRIES, raises a
`BibliographyError` whose message says what to do. "For you" seeds a reader's ranking
from it (issue 14); a collection's import reads its files the same way (issue 17).

`to_bibtex(records)` and `to_ris(records)` write records (mappings or objects with
arxiv_id, title, authors, year, abstract, url, doi, primary_category and, optionally,
journal_ref; missing ones are left out) as files that reference managers import and that
`read_references` reads back to the same ids and titles.

The BibTeX and RIS readers are written here, not taken from a library. bibtexparser 2.1
drops what real exports have: the last entry when its closing brace is missing, values
joined with `#` (it keeps `arx # " 2401.01234"` as text), and it reports a duplicate key
as a failed block; pybtex stops the whole file at the first entry without a key; rispy
0.10 silently loses every record after one without `ER  -`. Both formats are small: a
tolerant scanner for each is simpler than repairs around those libraries would be,
and recovers entry by entry. LaTeX in BibTeX values is turned into text by a table here
for what exports write (accents, `\\&`, `\\textendash`, `\\emph{}`: fast, a 10,000-entry
library reads in under two seconds) and by pylatexenc for any other macro; math
(`$\\beta$-VAE`) is kept as written, as arXiv writes titles.

What a Reference holds is normalised for matching against the catalogue: the arXiv id
without version (old-style ids without their subject class: math.GT/0309136 is
math/0309136), the DOI in lower case without resolver, the title and names as plain
Unicode text in NFC, names as "First Last".
"""

import bisect
import codecs
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from pylatexenc.latex2text import LatexNodes2Text

from dailypapers.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id

# Larger files are refused before reading: a reader's whole library fits well below
# (a 10,000-entry Zotero export with abstracts is about 15 MB, without them about 4 MB).
MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 10_000
# A file of another kind read as a list would list a problem for each of its lines.
MAX_PROBLEMS = 1_000

FORMATS = ("bibtex", "ris", "list")


class BibliographyError(ValueError):
    """The input cannot be read at all (not text, or too large); the message says why."""


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str

    def __str__(self):
        return f"{self.where}: {self.reason}"


@dataclass
class Reference:
    where: str
    key: str = ""
    arxiv_id: str | None = None
    doi: str | None = None
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None


@dataclass
class Reading:
    format: str
    references: list[Reference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def arxiv_ids(self):
        return [ref.arxiv_id for ref in self.references if ref.arxiv_id]


# ---------------------------------------------------------------------------------------
# Decoding


_BINARY_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"SQLite format 3", "an SQLite database (zotero.sqlite?)"),
)

_NOT_TEXT_HINT = (
    "export your library as BibTeX (.bib) or RIS (.ris) from your reference manager, "
    "or paste a list of arXiv ids"
)


def _decode(data):
    """Bytes → str: UTF-8 (with or without BOM), UTF-16/32 with BOM, else cp1252/Latin-1."""
    if len(data) > MAX_BYTES:
        raise BibliographyError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; at most "
            f"{MAX_BYTES // 1024 // 1024} MB can be read. Split it, or export without "
            "abstracts and attachments."
        )
    for signature, what in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise BibliographyError(f"This is {what}, not a bibliography: {_NOT_TEXT_HINT}.")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise BibliographyError(
                    f"The file starts as {encoding.upper()} text but is not: {_NOT_TEXT_HINT}."
                ) from None
    # UTF-16 without a BOM (some Windows tools): every other byte of ASCII text is NUL.
    head = data[:4096]
    if len(head) >= 16 and head[1::2].count(0) > 0.9 * len(head[1::2]) and 0 not in head[::2]:
        try:
            return data.decode("utf-16-le")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _check_text(text):
    if "\x00" in text:
        raise BibliographyError(
            f"The file contains NUL bytes, so it is not text: {_NOT_TEXT_HINT}."
        )
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(8, len(sample) // 100):
        raise BibliographyError(f"The file looks binary, not text: {_NOT_TEXT_HINT}.")


def _text_of(data):
    if isinstance(data, bytes | bytearray | memoryview):
        text = _decode(bytes(data))
    elif isinstance(data, str):
        if len(data) > MAX_BYTES:
            raise BibliographyError(
                f"The text is too long: at most {MAX_BYTES // 1024 // 1024} MB can be read."
            )
        text = data
    else:
        raise TypeError(f"read_references takes bytes or str, not {type(data).__name__}")
    _check_text(text)
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------
# arXiv ids and DOIs in text

# An id as it stands in text: new style YYMM.NNNN(N) or old style archive(.XX)/YYMMNNN,
# not inside a longer number or word.
_ID = (
    r"(\d{4}\.\d{4,5}(?:v\d{1,4})?|[a-z][a-z\-]{0,15}(?:\.[A-Z]{2})?/\d{7}(?:v\d{1,4})?)(?![\w\-])"
)
# Where an id is named as one: an arxiv.org (or mirror) URL, the arXiv DOI, "arXiv:",
# "arXiv preprint arXiv:", DBLP's "CoRR abs/…", Hugging Face's papers page.
_ARXIV_IN_TEXT = re.compile(
    r"(?i:arxiv\.org/(?:abs|pdf|html|format|ps)/"
    r"|10\.48550/arxiv\."
    r"|\barxiv(?:\s+e-?prints?)?\s*[:/]?\s*(?:abs/)?"
    r"|\bcorr\b[\s,]*(?:abs/)?"
    r"|huggingface\.co/papers/"
    r"|alphaxiv\.org/(?:abs|overview)/)" + _ID
)
_ARXIV_PREFIX = re.compile(r"^(?i:arxiv)\s*:?\s*")
_PLAIN_ID = re.compile(r"(?i:arxiv\s*:?\s*)?" + _ID)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"{}]+)")
_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi\s*:\s*)", re.IGNORECASE)


def _base(text):
    """The catalogue's id for an id as written, or None when it is not one.

    Old-style ids drop their subject class (math.GT/0309136 is math/0309136: arXiv's
    id has none, its URLs redirect) and new-style ids must be possible: they start in
    April 2007, name a real month and have 4 digits after the dot before 2015, 5 since.
    """
    try:
        base, _ = parse_arxiv_id(text)
    except InvalidArxivId:
        return None
    if "/" in base:
        archive, number = base.split("/")
        return f"{archive.split('.')[0]}/{number}"
    yymm = int(base[:4])
    digits = 5 if yymm >= 1501 else 4
    return base if 1 <= yymm % 100 <= 12 and yymm >= 704 and len(base) == 5 + digits else None


def arxiv_id_of(value):
    """The base arXiv id that `value` is (an id, arXiv:id, URL or arXiv DOI), or None."""
    value = value.strip()
    if not value:
        return None
    if _PLAIN_ID.fullmatch(value):
        return _base(_ARXIV_PREFIX.sub("", value))
    return find_arxiv_id(value) if len(value) < 200 else None


def find_arxiv_id(text):
    """The first base arXiv id named as one in free text (URL, arXiv:…, arXiv DOI), or None."""
    for match in _ARXIV_IN_TEXT.finditer(text):
        base = _base(match.group(1))
        if base:
            return base
    return None


def doi_of(value):
    """A DOI (lower case, without a resolver prefix) found in `value`, or None."""
    value = re.sub(r"\\([_&%#])", r"\1", value)  # \_ as hand-written BibTeX has it
    match = _DOI.search(_DOI_PREFIX.sub("", value))
    if not match:
        return None
    return match.group(1).rstrip(".,;)]>").lower()


# ---------------------------------------------------------------------------------------
# LaTeX to text

_latex = LatexNodes2Text(math_mode="verbatim")
_NEEDS_LATEX = re.compile(r"[\\$~]|--|``|''")
_BRACES = re.compile(r"(?<!\\)[{}]")
_MACRO = re.compile(r"\\(?:[A-Za-z]+\*?|.)")
_SPACE = re.compile(r"\s+")

# The LaTeX that exports use, decoded here without pylatexenc (which takes about a
# millisecond a title: ten seconds for a 10,000-entry library). Anything else goes to it.
_MATH_SPLIT = re.compile(r"((?<!\\)\$[^$]*(?<!\\)\$)")
# Private-use characters hold escaped braces, backslashes and tildes while the grouping
# braces and the ties (~) are dropped.
_HELD = {"{": "\ue000", "}": "\ue001", "\\": "\ue002", "~": "\ue003"}
_RELEASE = str.maketrans({v: k for k, v in _HELD.items()})
_SYMBOL_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307"}  # fmt: skip
_LETTER_ACCENTS = {"u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331"}  # fmt: skip
_ACCENT = re.compile(
    r"""\\(?:([`'^"~=.])\s*|([uvHckrdb])(?=[\s{]))\s*(?:\{\s*(\\[ij]\b|[A-Za-z])\s*\}|(\\[ij]\b|[A-Za-z]))"""
)
_NAMED = {
    "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ",
    "textendash": "–", "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘",
    "textquotedblleft": "“", "textquotedblright": "”", "textless": "<", "textgreater": ">",
    "textbar": "|", "textunderscore": "_", "textasciicircum": "^", "ldots": "…",
    "dots": "…", "textellipsis": "…", "textbullet": "•", "textdegree": "°",
    "textbackslash": _HELD["\\"], "textasciitilde": _HELD["~"],
    "textbraceleft": _HELD["{"], "textbraceright": _HELD["}"], "S": "§", "P": "¶",
    "copyright": "©", "textregistered": "®", "texttrademark": "™", "euro": "€",
    "pounds": "£", "dag": "†", "ddag": "‡", "guillemotleft": "«", "guillemotright": "»",
}  # fmt: skip
_NAMED_MACRO = re.compile(
    r"\\(" + "|".join(sorted(_NAMED, key=len, reverse=True)) + r")(?![A-Za-z])(?:\{\}|\s*)"
)
_FORMATTING = re.compile(
    r"\\(?:emph|textit|textbf|textsc|texttt|textrm|textsf|textsl|textup|textmd|textnormal"
    r"|mbox|hbox|text|url|nolinkurl|uppercase|lowercase|MakeUppercase|MakeLowercase|NoCaseChange"
    r"|bf|it|em|sc|tt|rm|sf|sl|small|large|Large|normalfont|protect)(?![A-Za-z])\s*"
)
_ESCAPED = {"&": "&", "%": "%", "_": "_", "#": "#", "$": "$", "{": _HELD["{"], "}": _HELD["}"], " ": " ", ",": " ", ";": " ", "\\": " ", "-": "", "/": ""}  # fmt: skip
_ESCAPE = re.compile(r"\\([&%_#${} ,;\\\-/])")


def _accent(match):
    mark = _SYMBOL_ACCENTS.get(match.group(1)) or _LETTER_ACCENTS[match.group(2)]
    base = match.group(3) or match.group(4)
    return {"\\i": "i", "\\j": "j"}.get(base, base) + mark


def _decode_text(text):
    """Decode the common LaTeX of a stretch outside math, or None when some is left."""
    text = _ESCAPE.sub(lambda m: _ESCAPED[m.group(1)], text)
    text = _ACCENT.sub(_accent, text)
    text = _NAMED_MACRO.sub(lambda m: _NAMED[m.group(1)], text)
    text = _FORMATTING.sub("", text)
    if "\\" in text:
        return None
    text = text.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”")
    text = _BRACES.sub("", text).replace("~", " ")
    return text.translate(_RELEASE)


def _pylatexenc(value):
    try:
        # pylatexenc drops grouping braces itself; the braces left are meant (\{).
        value = _latex.latex_to_text(value)
    except Exception:  # pylatexenc fails on some malformed macros (\href{x} alone)
        value = _BRACES.sub("", _MACRO.sub("", value))
    return value.replace("\xa0", " ").replace("\u02c6", "^")


def clean_latex(value):
    """BibTeX field text → plain text: accents and escapes decoded, case braces dropped,
    $math$ kept as written (as arXiv writes titles), Unicode in NFC."""
    if not _NEEDS_LATEX.search(value):
        value = _BRACES.sub("", value)
    else:
        parts = _MATH_SPLIT.split(value)
        decoded = [part if i % 2 else _decode_text(part) for i, part in enumerate(parts)]
        value = "".join(decoded) if None not in decoded else _pylatexenc(value)
    return unicodedata.normalize("NFC", _SPACE.sub(" ", value).strip())


def _person(name):
    """'Last, First' / 'Last, Jr, First' / 'First Last' → 'First Last (Jr)'."""
    parts = [p.strip() for p in _split_top(name, ",")]
    parts = [p for p in parts if p]
    if len(parts) == 2:
        name = f"{parts[1]} {parts[0]}"
    elif len(parts) >= 3:
        name = f"{parts[2]} {parts[0]} {parts[1]}"
    return _SPACE.sub(" ", name).strip()


def _split_top(value, separator):
    """Split on a separator character outside braces."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == separator and depth == 0:
            pieces.append(value[start:i])
            start = i + 1
    pieces.append(value[start:])
    return pieces


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_BRACE_OR_AND = re.compile(r"[{}]|\s+and\s+", re.IGNORECASE)


def _bibtex_authors(value):
    """A BibTeX name list ("A and B and {C and D}") → clean names; "others" dropped."""
    names, depth, start = [], 0, 0
    for match in _BRACE_OR_AND.finditer(value):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    people = []
    for raw in names:
        if raw.strip().lower() in ("others", ""):
            continue
        person = clean_latex(_person(raw))
        if person:
            people.append(person)
    return people


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|2\d\d\d)(?!\d)")


def _year_of(value):
    match = _YEAR.search(value or "")
    return int(match.group(1)) if match else None


def _where(kind, number, key, line):
    label = f"{kind} {number}"
    if key:
        label += f" ({key})"
    return f"{label}, line {line}"


# Fields never searched for an arXiv id: an abstract or a review may name other papers.
_NOT_SCANNED = {
    "abstract", "title", "author", "editor", "keywords", "file", "review", "comment",
    "annotation", "mendeley-tags", "mendeley-groups",
    "AB", "N2", "TI", "T1", "AU", "A1", "A2", "A3", "A4", "ED", "KW",
}  # fmt: skip


def _reference(where, key, fields, id_fields, scan_fields, doi_fields, title, authors, year):
    """One entry's fields → (Reference or None, reason it was skipped).

    The arXiv id is taken from the fields that hold one (eprint, arxivId), then from the
    DOI, then from the fields where exports mention it (url, journal, note, …), then from
    any other field an exporter of its own may have used (BibDesk's bdsk-url-1, ADS's eid).
    """
    arxiv_id = None
    for name in id_fields:
        for value in fields.get(name, ()):
            arxiv_id = arxiv_id or arxiv_id_of(value)
    doi = None
    for name in doi_fields:
        for value in fields.get(name, ()):
            doi = doi or doi_of(value)
    if doi and not arxiv_id:
        arxiv_id = find_arxiv_id(doi)
    others = [name for name in fields if name not in scan_fields and name not in _NOT_SCANNED]
    for name in (*scan_fields, *others):
        for value in fields.get(name, ()):
            arxiv_id = arxiv_id or find_arxiv_id(value)
    if not (arxiv_id or doi or title):
        return None, "no arXiv id, DOI or title"
    return Reference(
        where=where, key=key, arxiv_id=arxiv_id, doi=doi, title=title, authors=authors, year=year
    ), None


# ---------------------------------------------------------------------------------------
# BibTeX

_MONTHS = {
    m: name
    for m, name in zip(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(),
        "January February March April May June July August September October November December".split(),
    )
}
_ENTRY_START = re.compile(r"@\s*([A-Za-z][\w\-:]*)\s*([{(])")
# A new entry at the start of a line: where reading resumes after a broken one.
_NEXT_ENTRY = re.compile(r"^[ \t]*@\s*[A-Za-z][\w\-:]*\s*[{(]", re.MULTILINE)
_SPACE_AND_COMMENTS = re.compile(r"(?:\s+|%[^\n]*)*")
_DELIMITERS = re.compile(r'[\\{}"]')
# A field or macro name, a bare number or macro as a value.
_WORD = re.compile(r"[^\s=,{}()\"#%]+")

# Which BibTeX fields name an arXiv id outright, which may mention one in passing, which
# hold a DOI. Mendeley writes `arxivId`, DBLP `eprint` with `eprinttype`, Zotero and
# Google Scholar the URL, DOI or "arXiv preprint arXiv:…" in `journal`.
_BIB_ID_FIELDS = ("arxivid", "arxiv", "eprint")
_BIB_SCAN_FIELDS = (
    "url",
    "ee",
    "link",
    "pdf",
    "journal",
    "journaltitle",
    "volume",
    "note",
    "howpublished",
    "annote",
    "addendum",
    "number",
    "archive",
    "publisher",
    "institution",
    "eprint",
)
_BIB_DOI_FIELDS = ("doi",)


class _Broken(Exception):
    """The entry cannot be read to its end; reading resumes at the next entry."""


class _BibtexScanner:
    def __init__(self, text):
        self.text = text
        self.macros = dict(_MONTHS)
        self.references = []
        self.problems = []
        self.entries = 0
        # Line starts, to name the line of a position.
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(self, pos):
        return bisect.bisect_right(self.line_starts, pos)

    def run(self):
        pos = 0
        text = self.text
        while True:
            at = text.find("@", pos)
            if at < 0:
                break
            line_start = text.rfind("\n", 0, at) + 1
            if text[line_start:at].lstrip().startswith("%"):
                pos = at + 1  # a commented-out entry (biber and bibtexparser skip it too)
                continue
            match = _ENTRY_START.match(text, at)
            if not match:
                pos = at + 1  # an @ in the text between entries (an email address): a comment
                continue
            kind = match.group(1).lower()
            closer = "}" if match.group(2) == "{" else ")"
            pos = match.end()
            if kind in ("comment", "preamble"):
                pos = self.skip_balanced(pos, closer)
            elif kind == "string":
                pos = self.read_string(at, pos, closer)
            else:
                self.entries += 1
                if self.entries > MAX_ENTRIES:
                    raise BibliographyError(
                        f"The file has more than {MAX_ENTRIES:,} entries; split it into "
                        "smaller files."
                    )
                pos = self.read_entry(at, pos, closer)
        return self

    def skip_balanced(self, pos, closer):
        """Past the end of a @comment/@preamble body (to the end of its line if unbalanced)."""
        depth = 1
        text = self.text
        for i in range(pos, len(text)):
            ch = text[i]
            if ch == "{" or (ch == "(" and closer == ")"):
                depth += 1
            elif ch == "}" or (ch == ")" and closer == ")"):
                depth -= 1
                if depth == 0:
                    return i + 1
        end = text.find("\n", pos)
        return len(text) if end < 0 else end + 1

    def resume_at(self, pos):
        """The start of the next entry after `pos` (at the start of a line), or the end."""
        match = _NEXT_ENTRY.search(self.text, pos)
        return match.start() if match else len(self.text)

    def skip_space(self, pos):
        """Past white space and `%` comments (to the end of the line, as biber reads them)."""
        return _SPACE_AND_COMMENTS.match(self.text, pos).end()

    def read_string(self, at, pos, closer):
        limit = self.resume_at(pos)
        try:
            pos = self.skip_space(pos)
            name = _WORD.match(self.text, pos)
            if not name:
                raise _Broken("no name")
            pos = self.skip_space(name.end())
            if not self.text.startswith("=", pos):
                raise _Broken("no '='")
            value, pos = self.read_value(pos + 1, limit)
            self.macros[name.group(0).lower()] = value
            pos = self.skip_space(pos)
            if pos < len(self.text) and self.text[pos] in "})":
                pos += 1
            return pos
        except _Broken as broken:
            self.problems.append(
                Problem(f"@string, line {self.line_of(at)}", f"unreadable ({broken}), skipped")
            )
            return limit

    def read_value(self, pos, limit):
        """One field value: braced, quoted, a number or a macro, joined by `#`."""
        text = self.text
        parts = []
        while True:
            pos = self.skip_space(pos)
            if pos >= len(text):
                raise _Broken("the file ends inside a value")
            ch = text[pos]
            if ch in ",})" and not parts:
                return "", pos  # `pages = ,`: an empty value
            if ch == "{":
                part, pos = self.read_delimited(pos + 1, "}", limit)
            elif ch == '"':
                part, pos = self.read_delimited(pos + 1, '"', limit)
            else:
                match = _WORD.match(text, pos)
                if not match:
                    raise _Broken(f"a value was expected, found {text[pos]!r}")
                word = match.group(0)
                part = self.macros.get(word.lower(), word)
                pos = match.end()
            parts.append(part)
            after = self.skip_space(pos)
            if after < len(text) and text[after] == "#":
                pos = after + 1
                continue
            return "".join(parts), pos

    def read_delimited(self, pos, end, limit):
        """Text up to the closing `}` or `"` at brace depth 0; unbalanced → _Broken."""
        text = self.text
        depth = 0
        i = pos
        stop = min(limit, len(text))
        while i < stop:
            found = _DELIMITERS.search(text, i, stop)
            if not found:
                break
            i = found.start()
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                if depth == 0:
                    if end == "}":
                        return text[pos:i], i + 1
                    raise _Broken("unbalanced braces")
                depth -= 1
            elif ch == '"' and end == '"' and depth == 0:
                return text[pos:i], i + 1
            i += 1
        raise _Broken("unbalanced braces")

    def read_entry(self, at, pos, closer):
        text = self.text
        line = self.line_of(at)
        number = self.entries
        limit = self.resume_at(pos)
        # The key: up to the first comma. An entry without a key goes straight to fields.
        key = ""
        start = self.skip_space(pos)
        comma = text.find(",", start, limit)
        candidate = text[start:comma] if comma >= 0 else ""
        if comma >= 0 and "=" not in candidate and not re.search(r"[{}\"]", candidate):
            key = candidate.strip()
            pos = comma + 1
        else:
            pos = start
        fields = {}
        try:
            while True:
                pos = self.skip_space(pos)
                while pos < len(text) and text[pos] == ",":
                    pos = self.skip_space(pos + 1)
                if pos >= limit:
                    # No closing brace. At the end of the file (the last entry of a
                    # truncated export) the fields read so far stand; before the next
                    # entry, a brace opened in a value has swallowed the closing one.
                    if limit < len(text):
                        raise _Broken("unbalanced braces")
                    break
                if text[pos] in closer + "}":
                    pos += 1
                    break
                name = _WORD.match(text, pos)
                if not name:
                    raise _Broken(f"a field name was expected, found {text[pos]!r}")
                after = self.skip_space(name.end())
                if not text.startswith("=", after):
                    if after >= limit or text[after] in closer + "},":
                        # A word and no field: the key of an entry with no fields
                        # (`@misc{key}`), else a stray word, passed over.
                        if not key and not fields:
                            key = name.group(0)
                        pos = after
                        continue
                    raise _Broken(f"'=' was expected after {name.group(0)!r}")
                value, pos = self.read_value(after + 1, limit)
                fields.setdefault(name.group(0).lower(), []).append(value)
        except _Broken as broken:
            reason = str(broken)
            if reason == "unbalanced braces" or "ends inside" in reason:
                reason = "unbalanced braces or quotes, skipped"
            else:
                reason = f"{reason}, skipped"
            self.problems.append(Problem(_where("entry", number, key, line), reason))
            return limit
        self.add(number, key, line, fields)
        return pos

    def add(self, number, key, line, fields):
        where = _where("entry", number, key, line)
        # eprint names an arXiv id unless the entry says it is another archive's.
        prefix = " ".join(fields.get("archiveprefix", []) + fields.get("eprinttype", [])).lower()
        if prefix and "arxiv" not in prefix:
            fields.pop("eprint", None)
        # DBLP and Semantic Scholar: journal = {CoRR} or {ArXiv}, volume = {abs/1706.03762}.
        journal = " ".join(fields.get("journal", [])).lower()
        if "corr" in journal or "arxiv" in journal:
            fields["arxiv"] = [v.removeprefix("abs/") for v in fields.get("volume", [])]
        title = clean_latex(fields["title"][0]) if fields.get("title") else ""
        authors = _bibtex_authors(fields["author"][0]) if fields.get("author") else []
        year = _year_of(" ".join(fields.get("year", []) + fields.get("date", [])))
        reference, reason = _reference(
            where,
            key,
            fields,
            _BIB_ID_FIELDS,
            _BIB_SCAN_FIELDS,
            _BIB_DOI_FIELDS,
            title,
            authors,
            year,
        )
        if reference is None:
            self.problems.append(Problem(where, reason))
        else:
            self.references.append(reference)


def _read_bibtex(text):
    scanner = _BibtexScanner(text).run()
    if scanner.entries == 0:
        scanner.problems.append(Problem("file", "no BibTeX entries (@article{…}) found"))
    return scanner.references, scanner.problems


# ---------------------------------------------------------------------------------------
# RIS

# "TY  - JOUR": two letters or a letter and a digit, two spaces, a dash. Exporters differ
# in the spaces (one, two, a tab) and some drop the space after the dash of an empty tag.
_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])[ \t]{1,3}-(?:[ \t]?(.*))?$")
_RIS_ID_FIELDS = ()
_RIS_SCAN_FIELDS = (
    "UR",
    "L1",
    "L2",
    "L3",
    "L4",
    "LK",
    "JO",
    "JF",
    "JA",
    "J2",
    "T2",
    "T3",
    "M1",
    "M2",
    "M3",
    "N1",
    "AN",
    "ID",
    "PB",
)
_RIS_DOI_FIELDS = ("DO", "M3", "UR", "N1")


def _read_ris(text):
    references, problems = [], []
    record = None  # (number, first line, {tag: [values]})
    last_tag = None
    number = 0

    def close():
        nonlocal record
        if record is None:
            return
        n, line, fields = record
        key = (fields.get("ID") or [""])[0].strip()
        where = _where("entry", n, key, line)
        title = " ".join((fields.get("TI") or fields.get("T1") or fields.get("CT") or [""])[:1])
        title = _SPACE.sub(" ", title).strip()
        authors = [_person(a) for a in fields.get("AU", []) + fields.get("A1", []) if a.strip()]
        year = _year_of(
            " ".join(fields.get("PY", []) + fields.get("Y1", []) + fields.get("DA", []))
        )
        reference, reason = _reference(
            where,
            key,
            fields,
            _RIS_ID_FIELDS,
            _RIS_SCAN_FIELDS,
            _RIS_DOI_FIELDS,
            title,
            authors,
            year,
        )
        if reference is None:
            problems.append(Problem(where, reason))
        else:
            references.append(reference)
        record = None

    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        match = _RIS_TAG.match(line.rstrip())
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "ER":
                close()
                last_tag = None
                continue
            if tag == "TY" or record is None:
                # A new record; one still open lacked its `ER  -` line.
                close()
                number += 1
                if number > MAX_ENTRIES:
                    raise BibliographyError(
                        f"The file has more than {MAX_ENTRIES:,} records; split it into "
                        "smaller files."
                    )
                record = (number, line_number, {})
            record[2].setdefault(tag, []).append(value)
            last_tag = tag
        elif record is not None and last_tag is not None:
            # A line without a tag continues the previous value (wrapped abstracts, notes).
            values = record[2][last_tag]
            values[-1] = f"{values[-1]} {line.strip()}".strip()
        elif number == 0:
            pass  # a header before the first record (ScienceDirect's "Provider: Elsevier")
        else:
            problems.append(
                Problem(
                    f"line {line_number}", f"not a RIS tag line, ignored: {line.strip()[:60]!r}"
                )
            )
    close()
    if number == 0:
        problems.append(Problem("file", "no RIS records (TY  - …) found"))
    return references, problems


# ---------------------------------------------------------------------------------------
# Plain lists

_LIST_SEPARATORS = re.compile(r"[\s,;]+")
_LIST_COMMENT = re.compile(r"(?:^|\s)#.*$")
# "arXiv: 2401.01234" is one item; "1." "2)" "-" "*" "•" number or mark the items of a list.
_LIST_ARXIV_SPACE = re.compile(r"\b(arxiv:)\s+", re.IGNORECASE)
_LIST_MARKER = re.compile(r"\d{1,4}[.)]?|[-*•–]")


def _read_list(text):
    references, problems = [], []
    count = 0
    for line_number, line in enumerate(text.split("\n"), start=1):
        line = _LIST_ARXIV_SPACE.sub(r"\1", _LIST_COMMENT.sub("", line)).strip()
        if not line:
            continue
        where = f"line {line_number}"
        bad = []
        for token in _LIST_SEPARATORS.split(line):
            token = token.strip("<>()[]'\"")
            if not token or _LIST_MARKER.fullmatch(token):
                continue
            count += 1
            if count > MAX_ENTRIES:
                raise BibliographyError(
                    f"The list has more than {MAX_ENTRIES:,} items; split it into smaller lists."
                )
            arxiv_id = arxiv_id_of(token)
            doi = None if arxiv_id else doi_of(token)
            if arxiv_id or doi:
                references.append(Reference(where=where, arxiv_id=arxiv_id, doi=doi))
            else:
                bad.append(token)
        if bad:
            shown = ", ".join(repr(token[:80]) for token in bad[:3])
            more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
            problems.append(Problem(where, f"not an arXiv id, arXiv URL or DOI: {shown}{more}"))
    if count == 0:
        problems.append(Problem("input", "nothing to read: no arXiv ids, URLs or DOIs"))
    elif not references:
        # Most likely a file of another kind (CSL JSON, CSV, EndNote's tagged format).
        problems.insert(
            0,
            Problem(
                "file",
                "no arXiv id, URL or DOI found; export BibTeX (.bib) or RIS (.ris) from "
                "your reference manager, or give one arXiv id or URL a line",
            ),
        )
    return references, problems


# ---------------------------------------------------------------------------------------
# Reading

_LOOKS_BIBTEX = re.compile(r"^[ \t]*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_LOOKS_RIS = re.compile(r"^(?:TY|T1|TI|AU|A1|ER)[ \t]{1,3}-", re.MULTILINE)


def detect_format(text, filename=""):
    """'bibtex', 'ris' or 'list', from the content; the file's extension breaks ties."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    bibtex = _LOOKS_BIBTEX.search(text)
    ris = _LOOKS_RIS.search(text)
    if bibtex and ris:
        if extension in ("bib", "bibtex", "biblatex"):
            return "bibtex"
        if extension == "ris":
            return "ris"
        return "bibtex" if bibtex.start() < ris.start() else "ris"
    if bibtex:
        return "bibtex"
    if ris:
        return "ris"
    if extension in ("bib", "bibtex", "biblatex") and "@" in text:
        return "bibtex"
    return "list"


def _dedupe(references):
    """One reference per arXiv id (then per DOI, then per title); later copies fill gaps."""
    kept, seen = [], {}
    for ref in references:
        keys = []
        if ref.arxiv_id:
            keys.append(("arxiv", ref.arxiv_id))
        if ref.doi:
            keys.append(("doi", ref.doi))
        if not keys and ref.title:
            keys.append(("title", re.sub(r"\W+", "", ref.title.casefold())))
        first = next((seen[k] for k in keys if k in seen), None)
        if first is None:
            kept.append(ref)
            for k in keys:
                seen[k] = ref
            continue
        if first.arxiv_id and ref.arxiv_id and first.arxiv_id != ref.arxiv_id:
            kept.append(ref)  # the same DOI on two arXiv papers: both are real papers
            seen[("arxiv", ref.arxiv_id)] = ref
            continue
        for name in ("arxiv_id", "doi", "title", "year", "key"):
            if not getattr(first, name) and getattr(ref, name):
                setattr(first, name, getattr(ref, name))
        if not first.authors:
            first.authors = ref.authors
        for k in keys:
            seen.setdefault(k, first)
        if first.arxiv_id:
            seen.setdefault(("arxiv", first.arxiv_id), first)
    return kept


def read_references(data, filename=""):
    """Read a BibTeX or RIS file or a list of arXiv ids/URLs/DOIs into a Reading.

    Raises BibliographyError only when the input is not text or is too large.
    """
    text = _text_of(data)
    kind = detect_format(text, filename)
    reader = {"bibtex": _read_bibtex, "ris": _read_ris, "list": _read_list}[kind]
    references, problems = reader(text)
    if len(problems) > MAX_PROBLEMS:
        hidden = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [Problem("file", f"{hidden:,} more problems")]
    return Reading(format=kind, references=_dedupe(references), problems=problems)


# ---------------------------------------------------------------------------------------
# Writing


def _get(record, name):
    value = record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
    return value if value is not None else ("" if name != "authors" else [])


_MATH = re.compile(r"(?<!\\)\$[^$]+(?<!\\)\$")
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    # Braces as text: BibTeX counts the brace of \{ too, so a lone one would unbalance it.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile(r"[\\{}&%#_$~^]")
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')")


def _escape_plain(text):
    text = _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group(0)], text)
    # "--" would read back as a dash; "``" and "''" as curly quotes.
    return _LIGATURE.sub("{}", text)


def _balanced(text):
    """Braces balanced as BibTeX counts them (escaped ones too)."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def bibtex_text(text):
    """Plain text (with arXiv-style $math$ kept as LaTeX) → a safe BibTeX field value."""
    text = _SPACE.sub(" ", str(text)).strip()
    out, pos = [], 0
    for match in _MATH.finditer(text):
        math = match.group(0)
        if not _balanced(math):
            continue  # escaped below as plain text
        out.append(_escape_plain(text[pos : match.start()]))
        out.append(math)
        pos = match.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out)


def _bibtex_name(name):
    name = _SPACE.sub(" ", str(name)).strip()
    # A name with " and " or a comma (an organisation) is one name: brace it whole.
    if _AND.search(name) or "," in name:
        return "{" + bibtex_text(name) + "}"
    return bibtex_text(name)


def citation_key(record, taken):
    """Google Scholar-style key: first author's last name, year, first title word."""
    authors = [str(a) for a in _get(record, "authors") if str(a).split()]
    # The last name: before the comma of "Last, First", else the last word.
    last = (authors[0].split(",")[0] if "," in authors[0] else authors[0]).split()[-1:]
    last = last[0] if authors and last else ""
    title = _MATH.sub(" ", str(_get(record, "title")))
    words = [w for w in re.findall(r"[^\W\d_]+", title) if len(w) > 3]
    stem = f"{last}{_get(record, 'year')}{words[0] if words else ''}"
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    stem = re.sub(r"[^a-z0-9]", "", stem)
    if not stem:
        stem = "arxiv" + re.sub(r"[^a-z0-9]", "", str(_get(record, "arxiv_id")).lower())
    key, n = stem, 0
    while key in taken:
        n += 1
        key = stem + chr(ord("a") + (n - 1) % 26) + ("" if n <= 26 else str(n // 26))
    taken.add(key)
    return key


def _arxiv_url(arxiv_id):
    return f"https://arxiv.org/abs/{arxiv_id}"


def to_bibtex(records):
    """Records → BibTeX text, one @misc entry each as arXiv writes them (eprint,
    archivePrefix, primaryClass), special characters escaped; UTF-8 kept as is."""
    taken, chunks = set(), []
    for record in records:
        arxiv_id = str(_get(record, "arxiv_id")).strip()
        fields = [("title", bibtex_text(_get(record, "title")))]
        authors = [a for a in _get(record, "authors") if str(a).strip()]
        if authors:
            fields.append(("author", " and ".join(_bibtex_name(a) for a in authors)))
        if _get(record, "year"):
            fields.append(("year", str(_get(record, "year"))))
        if arxiv_id:
            fields += [("eprint", arxiv_id), ("archivePrefix", "arXiv")]
            if _get(record, "primary_category"):
                fields.append(("primaryClass", bibtex_text(_get(record, "primary_category"))))
        if _get(record, "journal_ref"):
            fields.append(("note", bibtex_text(_get(record, "journal_ref"))))
        if _get(record, "doi"):
            fields.append(("doi", _url_value(_get(record, "doi"))))
        url = _get(record, "url") or (_arxiv_url(arxiv_id) if arxiv_id else "")
        if url:
            fields.append(("url", _url_value(url)))
        if _get(record, "abstract"):
            fields.append(("abstract", bibtex_text(_get(record, "abstract"))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        chunks.append(f"@misc{{{citation_key(record, taken)},\n{body}\n}}\n")
    return "\n".join(chunks)


def _url_value(url):
    # URLs and DOIs are verbatim in BibTeX (biblatex, hyperref): only braces need care.
    return re.sub(r"\s+", "", str(url)).replace("{", "%7B").replace("}", "%7D")


def _ris_line(tag, value):
    value = _SPACE.sub(" ", str(value)).strip()
    return f"{tag}  - {value}"


def to_ris(records):
    """Records → RIS text (one UNPB record each, ER-terminated, CRLF line ends as the
    RIS specification asks); every value on one line."""
    taken, lines = set(), []
    for record in records:
        arxiv_id = str(_get(record, "arxiv_id")).strip()
        lines.append(_ris_line("TY", "UNPB"))
        lines.append(_ris_line("ID", citation_key(record, taken)))
        lines.append(_ris_line("TI", _get(record, "title")))
        for author in _get(record, "authors"):
            if str(author).strip():
                lines.append(_ris_line("AU", author))
        if _get(record, "year"):
            lines.append(_ris_line("PY", _get(record, "year")))
        if _get(record, "abstract"):
            lines.append(_ris_line("AB", _get(record, "abstract")))
        if _get(record, "journal_ref"):
            lines.append(_ris_line("JO", _get(record, "journal_ref")))
        if _get(record, "doi"):
            lines.append(_ris_line("DO", _get(record, "doi")))
        if arxiv_id:
            category = _get(record, "primary_category")
            note = f"arXiv:{arxiv_id}" + (f" [{category}]" if category else "")
            lines.append(_ris_line("N1", note))
            lines.append(_ris_line("PB", "arXiv"))
        url = _get(record, "url") or (_arxiv_url(arxiv_id) if arxiv_id else "")
        if url:
            lines.append(_ris_line("UR", url))
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines)
