"""Reading BibTeX, RIS and lists of arXiv ids (lib/bibliography.py), as readers' real
exports come: Zotero, Mendeley, Google Scholar, arXiv, DBLP, hand-kept files with every
quirk, and the writers' output read back by us and by a maintained BibTeX parser."""

import codecs
import unicodedata
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dailypapers.lib import bibliography
from dailypapers.lib.bibliography import (
    MAX_BYTES,
    MAX_ENTRIES,
    BibliographyError,
    Problem,
    Reading,
    clean_latex,
    detect_format,
    read_references,
    to_bibtex,
    to_ris,
)

DATA = Path(__file__).resolve().parent / "data" / "bibliography"


def read(name):
    path = DATA / name
    return read_references(path.read_bytes(), filename=path.name)


def by_key(reading):
    return {ref.key: ref for ref in reading.references}


def reasons(reading):
    return [str(problem) for problem in reading.problems]


# Realistic exports -----------------------------------------------------------------------


def test_a_zotero_export_yields_its_arxiv_ids():
    reading = read("zotero.bib")
    assert reading.format == "bibtex"
    assert reading.problems == []
    assert reading.arxiv_ids == [
        "1706.03762",  # url, doi and note
        "1412.6980",  # journal = {arXiv:1412.6980 [cs]}
        "1512.03385",  # a pdf URL with version and .pdf
        "hep-th/9711200",
        "math/0211159",
        "1204.2810",
        "math/0309136",  # math.GT/0309136 in the URL
        "2112.10752",
        "2401.01234",
    ]
    refs = by_key(reading)
    attention = refs["vaswani_attention_2023"]
    assert attention.title == "Attention Is All You Need"
    assert attention.doi == "10.48550/arxiv.1706.03762"
    assert attention.year == 2023
    assert attention.authors[0] == "Ashish Vaswani"
    assert attention.authors[6] == "Łukasz Kaiser"
    # Papers that are not on arXiv are kept for matching by DOI or title.
    assert refs["jumper_highly_2021"].arxiv_id is None
    assert refs["jumper_highly_2021"].doi == "10.1038/s41586-021-03819-2"
    assert refs["ho_denoising_2020"].title == "Denoising Diffusion Probabilistic Models"
    assert refs["goodfellow_deep_2016"].authors == [
        "Ian Goodfellow",
        "Yoshua Bengio",
        "Aaron Courville",
    ]
    muller = refs["muller_uber_2024"]
    assert muller.title == "Über die Schrödinger-Gleichung & Co: $\\beta$-VAEs – a Survey"
    assert muller.authors == ["Jörg Müller", "María García", "OpenAI"]


def test_a_mendeley_ris_export_yields_its_arxiv_ids():
    data = (DATA / "mendeley.ris").read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and b"\r\n" in data  # as Windows writes it
    reading = read_references(data, filename="mendeley.ris")
    assert reading.format == "ris"
    assert reading.problems == []
    assert reading.arxiv_ids == [
        "1706.03762",  # DO 10.48550/arXiv…
        "1512.03385",  # JO arXiv preprint arXiv:…
        "1412.6980",  # M3 arXiv:…v9
        "hep-th/9711200",  # L2
        "2006.11239",  # UR pdf
        "2112.10752",  # N1
    ]
    refs = by_key(reading)
    assert refs["Vaswani2017"].title == "Attention is all you need"
    assert refs["Vaswani2017"].authors[:2] == ["Ashish Vaswani", "Noam Shazeer"]
    assert refs["Vaswani2017"].year == 2017
    assert refs["Jumper2021"].doi == "10.1038/s41586-021-03819-2"
    assert refs["Jumper2021"].arxiv_id is None
    assert refs["Ho2020"].year == 2020  # PY  - 2020///
    assert refs["He2015"].where == "entry 2 (He2015), line 26"


def test_google_scholar_arxiv_mendeley_and_dblp_bibtex_exports():
    assert read("google_scholar.bib").arxiv_ids == ["1512.03385", "1810.04805", "2006.00001"]
    scholar = by_key(read("google_scholar.bib"))
    assert scholar["vaswani2017attention"].arxiv_id is None  # a proceedings entry: by title
    assert scholar["vaswani2017attention"].authors[6] == "Łukasz Kaiser"
    assert scholar["schrodinger2020"].title == "Schrödinger bridges and GANs"
    assert scholar["schrodinger2020"].authors == ["Jörg Müller", "María García"]

    arxiv = read("arxiv.bib")
    assert arxiv.arxiv_ids == ["1706.03762", "1804.03599"]
    assert arxiv.references[1].title == "Understanding disentangling in $\\beta$-VAE"

    mendeley = read("mendeley.bib")
    assert mendeley.problems == []
    assert mendeley.arxiv_ids == ["1412.6980", "2103.00020"]  # arxivId, with arXiv: too
    assert mendeley.references[0].title == "Adam: A Method for Stochastic Optimization"

    dblp = read("dblp.bib")
    assert dblp.arxiv_ids == ["1706.03762", "2006.11239"]  # eprint; CoRR volume abs/…
    assert dblp.references[0].key == "DBLP:journals/corr/VaswaniSPUJGKP17"
    assert dblp.references[0].authors[-1] == "Illia Polosukhin"


# BibTeX quirks ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quirks():
    return read("quirks.bib")


def test_it_reads_every_readable_entry_of_a_quirky_file(quirks):
    assert quirks.format == "bibtex"
    assert quirks.arxiv_ids == [
        "2001.01234",
        "hep-th/9901001",
        "2301.00001",
        "2301.00002",
        "2302.05678",
        "2310.06825",
        "2312.00752",
    ]
    assert [p.where for p in quirks.problems] == [
        "entry 6 (broken), line 39",
        "entry 7 (nothing), line 44",
    ]
    assert reasons(quirks) == [
        "entry 6 (broken), line 39: unbalanced braces or quotes, skipped",
        "entry 7 (nothing), line 44: no arXiv id, DOI or title",
    ]
    # Another archive's eprint is no arXiv id; the entry stays, to be matched by title.
    assert by_key(quirks)["pubmed"].arxiv_id is None
    assert by_key(quirks)["pubmed"].title == "An eprint of another archive"


def test_strings_concatenation_and_latex_are_resolved(quirks):
    first = quirks.references[0]
    assert first.key == "smith2020"
    assert first.title == "Generative Adversarial Networks for Müller's & Friends"
    # "others" (et al.) is no author; a braced organisation is one name.
    assert first.authors == ["John Smith", "Jörg Müller", "Google Research"]
    assert first.year == 2020


def test_quoted_values_nested_braces_and_name_forms(quirks):
    quoted = by_key(quirks)["quoted"]
    assert quoted.title == 'Quoted "values" with Nested Braces'
    assert quoted.authors == ["Jane Doe", "Piet van der Berg Jr."]
    assert quoted.arxiv_id == "hep-th/9901001"  # \url{…v2} in howpublished


def test_entries_without_key_and_with_duplicate_keys_are_kept(quirks):
    ids = {ref.arxiv_id: ref for ref in quirks.references}
    assert ids["2301.00001"].key == "" and ids["2301.00001"].where == "entry 3, line 24"
    assert ids["2301.00002"].title == "An entry with no key at all"
    duplicate = ids["2302.05678"]  # an unknown entry type and a key used before
    assert duplicate.key == "smith2020"
    assert duplicate.title == "A duplicate key with a title split over lines"


def test_the_same_arxiv_id_twice_is_one_reference(quirks):
    assert quirks.arxiv_ids.count("2001.01234") == 1
    assert quirks.references[0].key == "smith2020"
    assert quirks.references[0].arxiv_id == "2001.01234"
    assert "again" not in by_key(quirks)  # merged into the first, without a problem


def test_a_missing_comma_and_a_missing_last_brace_are_survived(quirks):
    refs = by_key(quirks)
    assert refs["nocomma"].title == "A field without its comma"
    assert refs["nocomma"].arxiv_id == "2310.06825"
    assert refs["last"].title == "The last entry, without its closing brace"


def test_entries_after_an_unbalanced_one_are_kept():
    text = "@article{a, title = {Open {brace}, year=2020}\n@misc{b, eprint={2101.00001}}\n"
    reading = read_references(text)
    assert reading.arxiv_ids == ["2101.00001"]
    assert reasons(reading) == ["entry 1 (a), line 1: unbalanced braces or quotes, skipped"]


def test_an_unterminated_quote_skips_only_its_entry():
    text = '@misc{a, title = "no end}\n\n@misc{b, title = "Fine", eprint = {2101.00002}}'
    reading = read_references(text)
    assert reading.arxiv_ids == ["2101.00002"]
    assert reading.problems[0].where == "entry 1 (a), line 1"


def test_commented_out_entries_are_skipped():
    text = "% @misc{old, eprint = {2101.00009}}\n  %@misc{older, eprint={2101.00008}}\n@misc{k, eprint = {2101.00001}}"
    assert read_references(text).arxiv_ids == ["2101.00001"]


def test_parenthesised_entries_and_month_macros():
    text = "@misc(k, title = {Parens}, month = feb, year = {2021}, eprint = {2102.00003})"
    reading = read_references(text)
    assert reading.references[0].title == "Parens"
    assert reading.references[0].year == 2021


def test_an_entry_with_only_a_key_is_reported_by_its_key():
    reading = read_references("@misc{lonely}\n@misc{b, eprint = {2101.00001}}")
    assert reasons(reading) == ["entry 1 (lonely), line 1: no arXiv id, DOI or title"]


def test_a_field_without_equals_is_reported():
    reading = read_references("@misc{k, title {x}, eprint = {2101.00001}}\n@misc{ok, title={Y}}")
    assert reasons(reading) == [
        "entry 1 (k), line 1: '=' was expected after 'title', skipped",
    ]
    assert [ref.title for ref in reading.references] == ["Y"]


def test_a_bib_file_with_no_entries_says_so():
    reading = read_references(b"% just a comment\n", filename="empty.bib")
    assert reading.format == "list" or reading.references == []
    reading = read_references("junk @ here\n", filename="library.bib")
    assert reading.format == "bibtex"
    assert reasons(reading) == ["file: no BibTeX entries (@article{…}) found"]


@pytest.mark.parametrize(
    "fields, expected",
    [
        ("eprint = {2401.01234}, archivePrefix = {arXiv}", "2401.01234"),
        ("eprint = {2401.01234v2}, eprinttype = {arxiv}", "2401.01234"),
        ("arxivId = {2401.01234}", "2401.01234"),
        ("url = {https://arxiv.org/abs/2401.01234v2}", "2401.01234"),
        ("url = {https://arxiv.org/pdf/2401.01234v2.pdf}", "2401.01234"),
        ("url = {https://export.arxiv.org/abs/2401.01234}", "2401.01234"),
        ("ee = {http://arxiv.org/abs/2401.01234}", "2401.01234"),
        ("journal = {arXiv preprint arXiv:2401.01234}", "2401.01234"),
        ("journal = {ArXiv}, volume = {abs/2401.01234}", "2401.01234"),
        ("note = {arXiv: 2401.01234 [cs.LG]}", "2401.01234"),
        ("howpublished = {arXiv e-prints 2401.01234}", "2401.01234"),
        ("doi = {10.48550/arXiv.2401.01234}", "2401.01234"),
        ("doi = {https://doi.org/10.48550/ARXIV.2401.01234}", "2401.01234"),
        ("eprint = {hep-th/9901001}", "hep-th/9901001"),
        ("url = {https://arxiv.org/abs/math.GT/0309136v1}", "math/0309136"),
        ("note = {see arXiv:cond-mat/0102536}", "cond-mat/0102536"),
        ("url = {https://huggingface.co/papers/2401.01234}", "2401.01234"),
        ("bdsk-url-1 = {https://arxiv.org/abs/2401.01234}", "2401.01234"),  # BibDesk
        ("journal = {arXiv e-prints}, eid = {arXiv:2401.01234}", "2401.01234"),  # ADS
        ("pages = {arXiv:2401.01234}", "2401.01234"),
        # An abstract naming another paper does not make it this one.
        ("abstract = {We improve on arXiv:2301.00001.}", None),
        # Numbers that only look like ids are not taken as ids.
        ("pages = {2401.01234}", None),
        ("note = {Vol. 1234.5678}", None),
        ("eprint = {2413.00001}", None),
    ],
)
def test_it_finds_arxiv_ids_where_exports_put_them(fields, expected):
    reading = read_references(f"@article{{k, title = {{T}}, {fields}}}")
    assert reading.references[0].arxiv_id == expected


# RIS quirks ------------------------------------------------------------------------------


RIS_QUIRKS = """Provider: Elsevier
Database: ScienceDirect

TY  - JOUR
TI  - First, then a blank line between tags

AU  - Smith, John
UR  - https://arxiv.org/abs/2401.01234v2
AB  - An abstract wrapped
by its exporter onto a line without a tag.
ER  -

TY  - GEN
TI  - Second, with no ER line
DO  - 10.48550/arXiv.2402.00001
TY  - JOUR
T1  - Third, after a missing ER
N1  - arXiv:2403.00002
ER  -
TY  - JOUR
PY  - 2020
ER  -
stray text after the last record
TY - JOUR
TI - Fourth, one space before the dash
L1 - https://arxiv.org/pdf/2404.00003.pdf
"""


def test_it_survives_ris_quirks():
    reading = read_references(RIS_QUIRKS)
    assert reading.format == "ris"
    assert reading.arxiv_ids == ["2401.01234", "2402.00001", "2403.00002", "2404.00003"]
    first = reading.references[0]
    assert first.title == "First, then a blank line between tags"
    assert first.authors == ["John Smith"]
    assert reasons(reading) == [
        "entry 4, line 20: no arXiv id, DOI or title",
        "line 23: not a RIS tag line, ignored: 'stray text after the last record'",
    ]


def test_ris_other_journal_tags():
    for tag, value in [
        ("T2", "arXiv preprint arXiv:2401.01234"),
        ("JO", "arXiv:2401.01234"),
        ("M3", "arXiv:2401.01234"),
        ("L1", "https://arxiv.org/pdf/2401.01234v1"),
        ("DO", "10.48550/arXiv.2401.01234"),
    ]:
        reading = read_references(f"TY  - JOUR\nTI  - T\n{tag}  - {value}\nER  - \n")
        assert reading.arxiv_ids == ["2401.01234"], tag


# Lists -----------------------------------------------------------------------------------


def test_it_reads_a_list_of_ids_urls_and_dois():
    text = """# my papers
2401.01234
arXiv:2402.00001v2, https://arxiv.org/abs/2403.00002v1 https://arxiv.org/pdf/2404.00003.pdf
hep-th/9901001;math.GT/0309136
10.1038/s41586-021-03819-2
foo
2401.01234  # again, with a comment
arxiv.org/abs/2405.00004
"""
    reading = read_references(text)
    assert reading.format == "list"
    assert reading.arxiv_ids == [
        "2401.01234",
        "2402.00001",
        "2403.00002",
        "2404.00003",
        "hep-th/9901001",
        "math/0309136",
        "2405.00004",
    ]
    assert [ref.doi for ref in reading.references if ref.doi] == ["10.1038/s41586-021-03819-2"]
    assert reasons(reading) == ["line 6: not an arXiv id, arXiv URL or DOI: 'foo'"]
    assert reading.references[1].where == "line 3"


def test_numbered_and_bulleted_lists_and_spaced_arxiv_prefixes():
    text = "1. arXiv: 2401.01234\n2) https://arxiv.org/abs/2402.00001\n- 2403.00002\n• ArXiv:  2404.00003"
    reading = read_references(text)
    assert reading.problems == []
    assert reading.arxiv_ids == ["2401.01234", "2402.00001", "2403.00002", "2404.00003"]


def test_a_line_of_bad_tokens_is_one_problem():
    reading = read_references("2401.01234 a b c d e\n")
    assert reading.arxiv_ids == ["2401.01234"]
    assert reasons(reading) == [
        "line 1: not an arXiv id, arXiv URL or DOI: 'a', 'b', 'c' and 2 more",
    ]


def test_a_file_of_another_kind_says_what_to_export_instead():
    csl_json = '[{"id": "x", "type": "article", "title": "A paper"}]'
    reading = read_references(csl_json, filename="library.json")
    assert reading.references == []
    assert reading.problems[0].where == "file"
    assert "export BibTeX (.bib) or RIS (.ris)" in reading.problems[0].reason


def test_problems_are_capped():
    reading = read_references("foo\n" * 3000)
    assert len(reading.problems) == bibliography.MAX_PROBLEMS + 1
    assert str(reading.problems[-1]) == "file: 2,001 more problems"


def test_an_empty_input_is_a_problem_not_an_error():
    for empty in (b"", "", "\n\n# only comments\n"):
        reading = read_references(empty)
        assert reading.references == []
        assert reasons(reading) == ["input: nothing to read: no arXiv ids, URLs or DOIs"]


# Format detection ------------------------------------------------------------------------


def test_it_detects_the_format_from_content_and_extension():
    assert detect_format("@article{k, title={x}}") == "bibtex"
    assert detect_format("  @Misc(k, title={x})") == "bibtex"
    assert detect_format("TY  - JOUR\nER  - ") == "ris"
    assert detect_format("2401.01234\n") == "list"
    assert detect_format("2401.01234\n", "papers.txt") == "list"
    # RIS whose abstract starts a line with what looks like a BibTeX entry.
    both = "TY  - JOUR\nAB  - x\n@misc{y,\nER  - \n"
    assert detect_format(both) == "ris"
    assert detect_format(both, "export.bib") == "bibtex"
    assert detect_format("@misc{y, title={x}}\nAU  - z", "export.ris") == "ris"


# Decoding --------------------------------------------------------------------------------

ENTRY = "@misc{k, title = {Schrödinger’s “cat”}, eprint = {2401.01234}}\n"


@pytest.mark.parametrize(
    "data",
    [
        ENTRY.encode("utf-8"),
        codecs.BOM_UTF8 + ENTRY.encode("utf-8"),
        ENTRY.encode("utf-16"),  # with its BOM
        codecs.BOM_UTF16_BE + ENTRY.encode("utf-16-be"),
        ENTRY.encode("utf-16-le"),  # without a BOM
        ENTRY.encode("cp1252"),
        ENTRY.replace("\n", "\r\n").encode("utf-8"),
        ENTRY.replace("\n", "\r").encode("utf-8"),
        "\ufeff" + ENTRY,  # pasted text with a BOM
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16",
        "utf16-be",
        "utf16-le-no-bom",
        "cp1252",
        "crlf",
        "cr",
        "str-bom",
    ],
)
def test_it_decodes_what_exporters_write(data):
    reading = read_references(data)
    assert reading.format == "bibtex"
    assert reading.references[0].title == "Schrödinger’s “cat”"
    assert reading.arxiv_ids == ["2401.01234"]


def test_latin1_bytes_that_are_not_utf8_are_read():
    reading = read_references("@misc{k, title = {Caf\xe9 \x81}}".encode("latin-1"))
    assert reading.references[0].title == "Café \x81"


def test_windows_line_ends_keep_line_numbers():
    text = "TY  - JOUR\r\nTI  - One\r\nER  - \r\n\r\nTY  - JOUR\r\nPY  - 2020\r\nER  - \r\n"
    reading = read_references(text.encode())
    assert reasons(reading) == ["entry 2, line 5: no arXiv id, DOI or title"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7\n...", "This is a PDF document, not a bibliography"),
        (b"PK\x03\x04rest", "This is a ZIP archive"),
        (b"SQLite format 3\x00", "SQLite database"),
        (b"@misc{k,\x00 title={x}}", "contains NUL bytes"),
        (bytes(range(256)) * 4, "not text"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "not"),
    ],
)
def test_input_that_is_not_text_is_refused_with_a_message(data, message):
    with pytest.raises(BibliographyError, match=message) as refused:
        read_references(data)
    assert "BibTeX" in str(refused.value) or "RIS" in str(refused.value)


def test_input_over_the_size_cap_is_refused():
    with pytest.raises(BibliographyError, match=r"at most 5 MB"):
        read_references(b"2401.01234\n" * (MAX_BYTES // 11 + 1))
    with pytest.raises(BibliographyError, match=r"at most 5 MB"):
        read_references("x" * (MAX_BYTES + 1))


def test_more_entries_than_the_cap_is_refused():
    with pytest.raises(BibliographyError, match="more than 10,000 entries"):
        read_references("@misc{k, title={x}}\n" * (MAX_ENTRIES + 1))
    with pytest.raises(BibliographyError, match="more than 10,000 records"):
        read_references("TY  - GEN\nTI  - x\nER  - \n" * (MAX_ENTRIES + 1))
    with pytest.raises(BibliographyError, match="more than 10,000 items"):
        read_references("2401.01234 " * (MAX_ENTRIES + 1))


def test_a_full_library_at_the_cap_reads_in_time():
    entries = "".join(
        f"@article{{k{i},\n  title = {{Paper {{N}}umber {i} on {{\\'e}}t{{\\'e}} \\& more}},\n"
        f"  author = {{Last{i}, First and Other, A.}},\n  year = {{2020}},\n"
        f"  eprint = {{2001.{i:05d}}},\n  archivePrefix = {{arXiv}},\n}}\n"
        for i in range(1, MAX_ENTRIES + 1)
    )
    reading = read_references(entries)
    assert len(reading.references) == MAX_ENTRIES
    assert reading.references[-1].title == "Paper Number 10000 on été & more"


def test_a_thousand_entry_zotero_like_file_with_broken_entries_loses_only_those():
    entries, broken = [], []
    for i in range(1, 1001):
        entry = ZOTERO_ENTRY.format(i=i, yymm=1501 + i % 12)
        if i % 97 == 0:
            entry = entry.replace("title = {", "title = {{", 1)  # an unclosed brace
            broken.append(f"entry {i} (author_{i}_2020)")
        entries.append(entry)
    reading = read_references("\n".join(entries), filename="My Library.bib")
    assert len(reading.references) == 1000 - len(broken)
    assert [p.where.split(",")[0] for p in reading.problems] == broken
    assert all(p.reason == "unbalanced braces or quotes, skipped" for p in reading.problems)
    assert reading.references[0].arxiv_id == "1502.00001"
    assert reading.references[-1].title == "Paper 1000: a Study of Ünïcode & LaTeX"


ZOTERO_ENTRY = """@misc{{author_{i}_2020,
\ttitle = {{Paper {i}: a {{Study}} of {{\\"U}}n{{\\"i}}code \\& {{LaTeX}}}},
\turl = {{http://arxiv.org/abs/{yymm}.{i:05d}}},
\tdoi = {{10.48550/arXiv.{yymm}.{i:05d}}},
\tauthor = {{Author, Number {i} and Other, A.}},
\tmonth = jan,
\tyear = {{2020}},
\tnote = {{arXiv:{yymm}.{i:05d} [cs]}},
}}
"""


def test_nothing_raises_on_arbitrary_text():
    @settings(
        max_examples=200, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(
        st.text(
            alphabet=st.sampled_from(list('@{}()"#,=%\\$~ \n\tabc2401.0123TYER -/:')),
            max_size=300,
        )
    )
    def check(text):
        reading = read_references(text)
        assert isinstance(reading, Reading)
        assert all(isinstance(p, Problem) for p in reading.problems)

    check()


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_read_or_refused_with_the_documented_error(data):
    try:
        reading = read_references(data)
    except BibliographyError as refused:
        assert str(refused)
    else:
        assert reading.format in bibliography.FORMATS


# LaTeX -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "latex, text",
    [
        ('{\\"u}ber', "über"),
        ("{GAN}s", "GANs"),
        ("\\& co", "& co"),
        ("Garc{\\'\\i}a", "García"),
        ("\\v{S}koda \\L{}ukasz \\o{} \\ss{}", "Škoda Łukasz ø ß"),
        ("A -- B --- C~D", "A – B — C D"),
        ("\\emph{it} \\textbf{bold} 50\\% a\\_b", "it bold 50% a_b"),
        ("$\\beta$-VAE", "$\\beta$-VAE"),
        ("``quoted''", "“quoted”"),
        ("\\href{http://x}", "http://x"),
        ("  spread\n   over lines ", "spread over lines"),
    ],
)
def test_clean_latex(latex, text):
    assert clean_latex(latex) == text


# Writers ---------------------------------------------------------------------------------

RECORDS = [
    {
        "arxiv_id": "2401.01234",
        "title": "$\\beta$-VAEs & 50% of {GANs}: a_b #1 ~ x^2 -- C:\\path ``q''",
        "authors": ["Jörg Müller", "María García", "Google and DeepMind", "Smith, Jr., John"],
        "year": 2024,
        "abstract": "Line one.\nLine two with $x_1$ and 100%.",
        "url": "",
        "doi": "10.1002/(SICI)1097-4636(199706)35:4<467::AID-JBM7>3.0.CO;2-H_x%",
        "primary_category": "cs.LG",
        "journal_ref": "Phys. Rev. D 76, 013009 (2007) & more",
    },
    {
        "arxiv_id": "hep-th/9901001",
        "title": "An old-style id",
        "authors": ["Juan Maldacena"],
        "year": 1999,
        "abstract": "",
        "url": "https://arxiv.org/abs/hep-th/9901001v2",
        "doi": "",
        "primary_category": "hep-th",
    },
    {
        "arxiv_id": "2402.00001",
        "title": "VAEs again: same author, year and first word",
        "authors": ["Jörg Müller"],
        "year": 2024,
        "abstract": "",
        "url": "",
        "doi": "",
        "primary_category": "",
    },
]


def test_bibtex_round_trips_ids_titles_and_authors():
    text = to_bibtex(RECORDS)
    reading = read_references(text)
    assert reading.problems == []
    assert reading.arxiv_ids == ["2401.01234", "hep-th/9901001", "2402.00001"]
    assert [ref.title for ref in reading.references] == [r["title"] for r in RECORDS]
    # Names come back as given; a comma or "and" in one keeps it one name.
    assert reading.references[0].authors == RECORDS[0]["authors"]
    assert reading.references[0].year == 2024
    assert reading.references[0].doi == RECORDS[0]["doi"].lower()
    assert len({ref.key for ref in reading.references}) == 3


def test_bibtex_output_is_read_by_a_maintained_parser():
    library = bibtexparser.parse_string(to_bibtex(RECORDS))
    assert library.failed_blocks == []
    first = library.entries[0]
    assert first.entry_type == "misc"
    assert first["eprint"] == "2401.01234"
    assert first["archivePrefix"] == "arXiv"
    assert first["primaryClass"] == "cs.LG"
    assert first["url"] == "https://arxiv.org/abs/2401.01234"
    assert first.key == "muller2024vaes"
    assert library.entries[2].key == "muller2024vaesa"  # keys stay unique
    assert "\\&" in first["title"] and "\\%" in first["title"]
    assert first["title"].startswith("$\\beta$-VAEs")
    assert first["note"] == "Phys. Rev. D 76, 013009 (2007) \\& more"
    assert "note" not in library.entries[1].fields_dict  # fields a record lacks are left out


def test_ris_round_trips_ids_titles_and_authors():
    text = to_ris(RECORDS)
    assert text.count("ER  - ") == 3 and "\r\n" in text
    reading = read_references(text)
    assert reading.format == "ris"
    assert reading.problems == []
    assert reading.arxiv_ids == ["2401.01234", "hep-th/9901001", "2402.00001"]
    assert [ref.title for ref in reading.references] == [r["title"] for r in RECORDS]
    assert reading.references[1].authors == ["Juan Maldacena"]
    assert "AB  - Line one. Line two with $x_1$ and 100%." in text
    assert "JO  - Phys. Rev. D 76, 013009 (2007) & more" in text


def test_writers_take_objects_as_well_as_mappings():
    class Paper:
        arxiv_id = "2401.01234"
        title = "An object"
        authors = ["Ada Lovelace"]
        year = 2024

    assert read_references(to_bibtex([Paper()])).arxiv_ids == ["2401.01234"]
    assert read_references(to_ris([Paper()])).references[0].title == "An object"


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    title=st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1
    ).filter(lambda t: t.strip()),
    author=st.text(alphabet=st.characters(whitelist_categories=("L",)), min_size=1),
)
def test_bibtex_round_trips_arbitrary_titles(title, author):
    record = {"arxiv_id": "2401.01234", "title": title, "authors": [f"{author} Last"], "year": 2024}
    text = to_bibtex([record])
    # Balanced as BibTeX itself counts braces (escaped ones too), and read by bibtexparser.
    assert text.count("{") == text.count("}")
    assert bibtexparser.parse_string(text).failed_blocks == []
    reading = read_references(text)
    expected = unicodedata.normalize("NFC", bibliography._SPACE.sub(" ", title).strip())
    assert reading.references[0].title == expected
    assert reading.references[0].authors == [unicodedata.normalize("NFC", f"{author} Last")]
