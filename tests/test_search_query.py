"""What a search box's text means (dailypapers/lib/searchquery.py): pure functions, no
database. The FTS5 expressions are checked by running them on an in-memory FTS5 table
with the site's tokenizer, the same SQLite engine the site uses."""

import re
import sqlite3

import pytest

from dailypapers.lib.searchquery import (
    MAX_PHRASE_WORDS,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    fts5_match,
    parse_query,
)
from dailypapers.search.keyword import TOKENIZER

# What people (and scripts, and attackers) type into search boxes. Shared with the page
# and API tests (tests/test_search_pages.py), which send each one to both databases.
HOSTILE = [
    "",
    "   ",
    "\t\n\r",
    '"',
    '""',
    '"""',
    '"" ""',
    '"unbalanced phrase',
    'a "b c',
    'one "two three" "four',
    "'",
    "it's",
    "((nested",
    "a)) OR (",
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "AND OR NOT NEAR",
    "attention AND",
    "OR attention",
    "NOT attention",
    "NEAR(attention transformer, 2)",
    "NEAR/2",
    '"attention" NEAR "transformer"',
    "*",
    "atten*",
    "^attention",
    "title:attention",
    "title : attention",
    ":",
    "a:b:c",
    "-attention",
    "+attention",
    "attention - transformer + routing",
    "{attention}",
    "[attention]",
    "\\",
    "%",
    "_",
    "%_%",
    "'; DROP TABLE papers_paper; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    "&amp; &lt;",
    "café naïve résumé",
    "e\u0301",  # e + combining acute accent
    "深度学习 注意力机制",
    "שלום עולם",
    "مرحبا بالعالم",
    "\u202eattention",  # right-to-left override
    "\u200b\u200b",  # zero-width spaces
    "\ufeffattention",
    "ＡＴＴＥＮＴＩＯＮ",  # full-width letters
    "²³ ١٢٣",  # superscript and Arabic-Indic digits
    "🤖🧠",
    "🤖 attention 🧠",
    "\ud83d",  # half an emoji: a lone surrogate
    "attention\ud83d",
    "\x00",
    "atten\x00tion",
    "\x01\x02\x03",
    "attention " * 1000,  # 10 kB
    "x" * 10_000,
    " ".join(f"w{i}" for i in range(2000)),
]


def fts5_table():
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(title, tokenize='{TOKENIZER}')")
    return db


def matching(db, text):
    match = fts5_match(parse_query(text))
    if not match:
        return []
    return [
        t
        for (t,) in db.execute("SELECT title FROM docs WHERE docs MATCH ? ORDER BY rowid", (match,))
    ]


# --- Words, stopwords, phrases --------------------------------------------------------------


def test_words_are_lower_cased_and_split_on_anything_but_letters_and_digits():
    query = parse_query("Mixture-of-Experts ROUTING, (sparse)! GPT4")
    assert query.terms == ("mixture", "experts", "routing", "sparse", "gpt4")
    assert query.phrases == ()


def test_stopwords_are_dropped_when_other_words_remain():
    assert parse_query("the attention of a transformer").terms == ("attention", "transformer")


def test_a_query_of_only_stopwords_keeps_them():
    assert parse_query("to be or not").terms == ("to", "be", "or", "not")
    assert parse_query("The Who").terms == ("the", "who")


def test_a_phrase_keeps_its_stopwords_and_lets_the_other_stopwords_go():
    query = parse_query('the "mixture of experts" for routing')
    assert query.phrases == (("mixture", "of", "experts"),)
    assert "routing" in query.terms
    assert not {"the", "of", "for"} & set(query.terms)
    # A phrase counts as something left: stopwords outside it are dropped.
    query = parse_query('"the who" of')
    assert query.phrases == (("the", "who"),) and query.terms == ()


def test_a_one_word_phrase_is_a_word():
    query = parse_query('"attention" is all')
    assert query.phrases == () and query.terms == ("attention",)


def test_phrases_are_deduplicated_and_cut_to_their_first_words():
    long_phrase = '"' + " ".join(f"w{i}" for i in range(20)) + '"'
    query = parse_query('"vision transformer" and "Vision Transformer" ' + long_phrase)
    assert query.phrases[0] == ("vision", "transformer")
    assert len(query.phrases) == 2
    assert query.phrases[1] == tuple(f"w{i}" for i in range(MAX_PHRASE_WORDS))


def test_words_lists_terms_and_phrase_words_once_each_for_highlighting():
    query = parse_query('routing "sparse routing networks" experts')
    words = query.words()
    assert sorted(words) == ["experts", "networks", "routing", "sparse"]


def test_the_text_for_embedding_is_the_query_as_written_with_whitespace_collapsed():
    assert (
        parse_query("  How do   transformers\n route tokens?  ").text
        == "How do transformers route tokens?"
    )


def test_terms_are_capped_keeping_the_first():
    # 100 two-letter words (aa, ab, …): over 64 of them fit in the 250 characters kept.
    many = parse_query(" ".join(f"{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(100)))
    assert len(many.terms) == MAX_TERMS and many.terms[0] == "aa"


# --- FTS5 expressions -----------------------------------------------------------------------


def test_fts5_match_quotes_every_word_and_ors_them():
    assert fts5_match(parse_query("routing experts")) == '"routing" OR "experts"'
    match = fts5_match(parse_query('routing "mixture of experts"'))
    parts = match.split(" OR ")
    assert all(re.fullmatch(r'"[^"]+"', part) for part in parts), match
    assert '"routing"' in parts and '"mixture of experts"' in parts
    assert fts5_match(parse_query("")) == ""


@pytest.mark.parametrize("operator", ["AND", "OR", "NOT", "NEAR"])
def test_fts5_operators_typed_alone_are_searched_as_words(operator):
    assert fts5_match(parse_query(operator)) == f'"{operator.lower()}"'
    db = fts5_table()
    db.executemany(
        "INSERT INTO docs(title) VALUES (?)",
        [
            ("rock and roll",),
            ("either or",),
            ("not a drill",),
            ("near the river",),
            ("unrelated words",),
        ],
    )
    expected = {
        "AND": "rock and roll",
        "OR": "either or",
        "NOT": "not a drill",
        "NEAR": "near the river",
    }
    assert matching(db, operator) == [expected[operator]]


def test_operators_between_words_do_not_change_the_query():
    db = fts5_table()
    db.executemany(
        "INSERT INTO docs(title) VALUES (?)",
        [("attention heads",), ("transformer layers",), ("graphs",)],
    )
    # "NOT transformer" would exclude transformers if it were read as FTS5; it is two words.
    assert matching(db, "attention NOT transformer") == ["attention heads", "transformer layers"]
    assert matching(db, "NEAR(attention transformer, 2)") == [
        "attention heads",
        "transformer layers",
    ]
    assert matching(db, "title:graphs") == ["graphs"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_parses_and_its_fts5_expression_runs(text):
    query = parse_query(text)
    assert len(query.text) <= MAX_QUERY_CHARS
    assert len(query.terms) + len(query.phrases) <= MAX_TERMS
    assert "\x00" not in query.text
    query.text.encode("utf-8")  # no lone surrogate survives: the text can go anywhere
    for word in query.words():
        assert word and word.isalnum()
    db = fts5_table()
    db.execute("INSERT INTO docs(title) VALUES ('attention transformer routing')")
    matching(db, text)  # FTS5 accepts the expression (raises sqlite3.OperationalError if not)


@pytest.mark.parametrize(
    "text", ["", "   ", "\t\n", '"', '""', "()", "🤖", "\ud83d", "\x00", "* ^ : - +"]
)
def test_input_without_words_is_an_empty_query(text):
    query = parse_query(text)
    assert query.empty and query.terms == () and query.phrases == ()
    assert fts5_match(query) == ""


def test_non_text_input_is_an_empty_query():
    assert parse_query(None).empty and parse_query(None).text == ""


def test_a_lone_surrogate_or_nul_separates_words():
    assert parse_query("atten\x00tion").terms == ("atten", "tion")
    assert parse_query("attention\ud83drouting").terms == ("attention", "routing")


def test_words_in_any_script_are_kept():
    assert parse_query("café naïve").terms == ("café", "naïve")
    assert parse_query("深度学习").terms == ("深度学习",)
    assert parse_query("שלום עולם").terms == ("שלום", "עולם")


def test_accented_words_match_their_plain_spelling_in_fts5():
    db = fts5_table()
    db.executemany("INSERT INTO docs(title) VALUES (?)", [("cafe culture",), ("tea time",)])
    assert matching(db, "Café") == ["cafe culture"]


def test_ten_kilobytes_of_text_are_cut_to_the_first_words():
    query = parse_query("attention " * 1000 + "routing")
    assert len(query.text) <= MAX_QUERY_CHARS
    assert set(query.terms) == {"attention"} and len(query.terms) <= MAX_TERMS
    assert query.words() == ["attention"]
