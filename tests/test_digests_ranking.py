"""The digest's ranking formula (dailypapers/lib/digest_ranking.py), alone."""

import pytest

from dailypapers.lib.digest_ranking import Candidate, Filters, community_scores, matches, rank


def paper(n, upvotes, categories=("cs.LG",), text="", authors=()):
    return Candidate(
        entry_id=n, arxiv_id=f"2611.{n:05d}", title=f"Paper {n}", authors=tuple(authors), summary="", upvotes=upvotes,
        url="", categories=frozenset(categories), text=text.lower(), author_text=tuple(a.lower() for a in authors),
    )  # fmt: skip


def scored(papers):
    scores = community_scores([p.upvotes for p in papers])
    return [Candidate(**{**p.__dict__, "community": s}) for p, s in zip(papers, scores)]


def test_community_scores_are_log_scaled_to_the_best_paper():
    assert community_scores([99, 0, 9]) == pytest.approx([1.0, 0.0, 0.5])
    assert community_scores([0, 0]) == [0.0, 0.0]
    assert community_scores([]) == []


def test_without_filters_the_top_papers_come_in_community_order():
    papers = scored([paper(1, 50), paper(2, 30), paper(3, 10)])
    assert [c.entry_id for c, _ in rank(papers, Filters(), 2)] == [1, 2]


def test_a_matching_paper_outranks_every_other_and_says_why():
    papers = scored(
        [paper(1, 50), paper(2, 30), paper(3, 0, categories=("cs.IR",), authors=["Grace Hopper"])]
    )
    ranked = rank(papers, Filters.of(["cs.IR"], [], ["hopper"]), 3)
    assert [(c.entry_id, sorted(m)) for c, m in ranked] == [
        (3, ["author", "category"]),
        (1, []),
        (2, []),
    ]


def test_an_archive_name_matches_all_its_categories_and_keywords_ignore_case():
    math = paper(1, 1, categories=("math.CO",), text="Graph colouring")
    assert matches(math, Filters.of(["math"], [], [])) == {"category"}
    assert matches(math, Filters.of(["math.C"], [], [])) == set()
    assert matches(math, Filters.of([], ["  GRAPH "], [])) == {"keyword"}


def test_a_personal_score_can_be_blended_in():
    papers = scored([paper(1, 50), paper(2, 40)])
    likes_two = lambda candidate: 1.0 if candidate.entry_id == 2 else 0.0  # noqa: E731
    assert [c.entry_id for c, _ in rank(papers, Filters(), 2, personal=likes_two)] == [2, 1]
