"""The For you ranking core (dailypapers/foryou/ranking.py) on small synthetic vectors, and
`dailypapers eval-foryou` on a tiny synthetic dataset written to tmp_path."""

import gzip
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from dailypapers.foryou import ranking
from dailypapers.foryou.ranking import Candidates, History, ReaderModel, Reason

D = 16
ROOT = Path(__file__).resolve().parents[1]
TOPICS = ("gaussian splatting", "speculative decoding", "protein folding", "legged robots")


def unit(rows):
    rows = np.asarray(rows, np.float32)
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def near(centre, rng, noise=0.35):
    return unit(centre + noise * unit(rng.normal(size=D)))


@pytest.fixture
def world():
    return make_world()


def make_world():
    """Four topics along the first four axes; three candidates per topic (the first of
    topic 1 a near duplicate of a paper the tests dismiss); a catalogue sample."""
    rng = np.random.default_rng(7)
    centres = np.eye(D, dtype=np.float32)[:4]
    vectors, cats, authors, texts = [], [], [], []
    for t, topic in enumerate(TOPICS):
        for j in range(3):
            vectors.append(near(centres[t], rng))
            cats.append(
                ["cs.CV" if t == 0 else "cs.CL" if t == 1 else "q-bio.BM" if t == 2 else "cs.RO"]
            )
            authors.append([f"Author {t}{j}", "Someone Else"])
            texts.append(f"Paper {j} on {topic}. We study {topic} in a new setting.")
    candidates = Candidates(unit(vectors), cats, authors, texts)
    background = unit(
        np.concatenate(
            [rng.normal(size=(300, D)), centres.repeat(25, 0) + 0.5 * rng.normal(size=(100, D))]
        )
    )
    liked = unit([near(centres[0], rng) for _ in range(3)])  # topic 0
    dismissed = unit(vectors[3] + 0.05 * rng.normal(size=D))  # near duplicate of candidate 3
    return {"rng": rng, "centres": centres, "candidates": candidates, "background": background, "liked": liked, "dismissed": dismissed}  # fmt: skip


def history(liked=(), disliked=(), **follows):
    liked = np.asarray(liked, np.float32).reshape(-1, D)
    disliked = np.asarray(disliked, np.float32).reshape(-1, D)
    return History(
        liked=liked,
        liked_ids=list(range(100, 100 + len(liked))),
        disliked=disliked,
        disliked_ids=list(range(200, 200 + len(disliked))),
        categories=frozenset(follows.get("categories", ())),
        authors=frozenset(follows.get("authors", ())),
        keywords=frozenset(follows.get("keywords", ())),
        liked_texts=follows.get("liked_texts"),
    )


def ranks(model, candidates):
    """Each candidate's rank (0 is first)."""
    order = np.argsort(-ranking.score(model, candidates), kind="stable")
    out = np.empty(len(order), int)
    out[order] = np.arange(len(order))
    return out


def test_liked_papers_neighbours_rise(world):
    c = world["candidates"]
    model = ranking.fit(history(world["liked"]), world["background"])
    assert set(np.argsort(-ranking.score(model, c))[:3]) == {0, 1, 2}
    # Liking a topic-2 paper too brings topic 2 up beside topic 0.
    more = ranking.fit(history([*world["liked"], c.vectors[6]]), world["background"])
    assert ranks(more, c)[7] < ranks(model, c)[7] and ranks(more, c)[8] < ranks(model, c)[8]


def test_one_signal_is_enough(world):
    c = world["candidates"]
    model = ranking.fit(history([near(world["centres"][3], world["rng"])]), world["background"])
    assert model.liked == 1 and model.confidence == "low"
    assert set(np.argsort(-ranking.score(model, c))[:3]) == {9, 10, 11}


def test_not_interested_sinks_the_paper_and_its_near_neighbours(world):
    c, rng = world["candidates"], world["rng"]
    topic_1 = [near(world["centres"][1], rng) for _ in range(2)]
    liked = [*world["liked"], *topic_1]  # topics 0 and 1
    before = ranking.fit(history(liked), world["background"])
    after = ranking.fit(history(liked, [world["dismissed"]]), world["background"])
    drop = ranking.score(before, c) - ranking.score(after, c)
    # Candidate 3 (the dismissed paper's near duplicate) falls below every other paper of
    # both liked topics; its neighbours (the rest of topic 1) drop too, by less; the other
    # topics keep their scores. Drops are in units of the catalogue's spread of scores.
    assert ranks(before, c)[3] < 5 and ranks(after, c)[3] == 5
    assert drop[3] > 2.0
    assert 0.3 < drop[4] < drop[3] and 0.3 < drop[5] < drop[3]
    assert np.abs(drop[[0, 1, 2, 6, 7, 8, 9, 10, 11]]).max() < 0.1
    assert after.disliked == 1


def test_a_followed_authors_paper_rises_and_says_why(world):
    c = Candidates(
        world["candidates"].vectors,
        world["candidates"].categories,
        [*world["candidates"].authors[:10], ["José García-López"], ["Another Person"]],
        world["candidates"].texts,
    )
    plain = ranking.fit(history(world["liked"]), world["background"])
    follows = ranking.fit(
        history(world["liked"], authors={"Garcia-Lopez, Jose"}), world["background"]
    )
    assert ranks(follows, c)[10] < ranks(plain, c)[10]
    assert ranks(follows, c)[10] < ranks(follows, c)[11]
    why = ranking.reasons(follows, history(world["liked"], authors={"Garcia-Lopez, Jose"}), c, 10)
    assert Reason("author", "Garcia-Lopez, Jose", ranking.AUTHOR_BOOST) in why
    assert not {r.kind for r in why} & {"category", "keyword"}
    assert not [
        r for r in ranking.reasons(follows, history(world["liked"]), c, 11) if r.kind == "author"
    ]


def test_a_followed_category_and_keyword_raise_their_papers(world):
    c = world["candidates"]
    h = history(world["liked"])
    plain = ranking.fit(h, world["background"])
    by_category = ranking.fit(history(world["liked"], categories={"q-bio.BM"}), world["background"])
    rise = ranking.score(by_category, c) - ranking.score(plain, c)
    np.testing.assert_allclose(rise[6:9], ranking.CATEGORY_BOOST, rtol=1e-5)
    assert not rise[:6].any() and not rise[9:].any()
    assert (ranks(by_category, c)[6:9] <= ranks(plain, c)[6:9]).all()
    h_kw = history(world["liked"], keywords={"Legged Robot"})  # singular, other case: matches
    by_keyword = ranking.fit(h_kw, world["background"])
    # Above every paper of the topics the reader neither liked nor followed.
    assert set(np.argsort(-ranking.score(by_keyword, c))[3:6]) == {9, 10, 11}
    why = ranking.reasons(by_keyword, h_kw, c, 9)
    assert why[0] == Reason("keyword", "Legged Robot", ranking.KEYWORD_BOOST)
    # Words out of order are not the phrase.
    reversed_kw = ranking.fit(history(keywords={"robots legged"}), world["background"])
    assert not ranking.score(reversed_kw, c).any()


def test_reasons_name_the_nearest_liked_paper_and_only_real_causes(world):
    c = world["candidates"]
    texts = [
        "Fast gaussian splatting for scenes",
        "Splatting radiance fields",
        "Gaussian splatting on phones",
    ]
    h = history(world["liked"], liked_texts=texts)
    model = ranking.fit(h, world["background"])
    why = ranking.reasons(model, h, c, 0)
    similar = [r for r in why if r.kind == "similar"]
    assert similar and similar[0].value == 100 + int(np.argmax(world["liked"] @ c.vectors[0]))
    words = [r for r in why if r.kind == "words"]
    assert words and "splatting" in words[0].value and "the" not in words[0].value.split(", ")
    assert not {r.kind for r in why} & {"author", "category", "keyword"}
    # A paper opposite to everything the reader liked has no "similar" reason.
    opposite = Candidates(unit(-world["centres"][:1]), [["cs.CV"]], [["Nobody"]], ["Unrelated."])
    assert ranking.reasons(model, h, opposite, 0) == []
    assert ranking.reasons(ranking.fit(history(), world["background"]), history(), c, 0) == []


def test_no_signals_ranks_by_follows_only(world):
    c = world["candidates"]
    empty = ranking.fit(history(), world["background"])
    assert empty.signals == 0 and empty.confidence == "none"
    assert not ranking.score(empty, c).any()
    follows = ranking.fit(history(categories={"cs.RO"}), world["background"])
    assert follows.confidence == "low"
    scores = ranking.score(follows, c)
    assert (scores[9:] > 0).all() and not scores[:9].any()


def test_models_round_trip_through_bytes(world):
    h = history(world["liked"], [world["dismissed"]], authors={"Author 00"}, keywords={"Gödel"}, categories={"cs.RO"})  # fmt: skip
    model = ranking.fit(h, world["background"])
    data = model.to_bytes()
    back = ReaderModel.from_bytes(data)
    assert len(data) < 4_000
    assert (back.liked, back.disliked, back.authors, back.keywords, back.categories) == (
        1 * 3, 1, ("Author 00",), ("Gödel",), ("cs.RO",)
    )  # fmt: skip
    c = world["candidates"]
    np.testing.assert_allclose(ranking.score(back, c), ranking.score(model, c), atol=0.02)
    with pytest.raises(ValueError):
        ReaderModel.from_bytes(b"nonsense" * 10)


def test_score_many_equals_score_row_by_row(world):
    c, bg, rng = world["candidates"], world["background"], world["rng"]
    models = [
        ranking.fit(history(), bg),
        ranking.fit(history(world["liked"]), bg),
        ranking.fit(
            history(world["liked"][:1], [world["dismissed"]], keywords={"protein folding"}), bg
        ),
        ranking.fit(history(unit(rng.normal(size=(40, D))), authors={"Author 31"}), bg),
        ranking.fit(history(categories={"cs.CL"}), bg),
    ]
    many = ranking.score_many(models, c, batch=2)
    assert many.shape == (5, len(c))
    for row, model in enumerate(models):
        np.testing.assert_allclose(many[row], ranking.score(model, c), rtol=1e-5, atol=1e-5)


def test_names_compare_without_case_accents_or_order():
    assert ranking.author_key("García, José") == ranking.author_key("jose GARCIA")
    assert ranking.author_key("Ana Li") != ranking.author_key("Ana Lin")


# --- The evaluation command -----------------------------------------------------------------


def write_dataset(directory, days=40, per_day=15):
    """A tiny catalogue: four topics, three prolific authors each, papers near their topic."""
    rng = np.random.default_rng(3)
    centres = unit(rng.normal(size=(4, D)))
    lines, vectors = [], []
    for day in range(days):
        for j in range(per_day):
            t = int(rng.integers(4))
            vectors.append(near(centres[t], rng, 0.6))
            lines.append(
                json.dumps(
                    {
                        "id": f"2501.{day:02d}{j:03d}",
                        "listing_date": f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}",
                        "authors": [
                            f"Author {t}{int(rng.integers(3))}",
                            f"Writer {rng.integers(200)}",
                        ],
                        "categories": [["cs.CV", "cs.CL", "cs.LG", "cs.RO"][t]],
                        "title": f"{TOPICS[t].title()} with trick {rng.integers(30)}",
                        "summary": f"We study {TOPICS[t]} and trick {rng.integers(30)}.",
                    }
                )
            )
    listings = directory / "listings.jsonl.gz"
    with gzip.open(listings, "wt") as handle:
        handle.write("\n".join(lines) + "\n")
    embeddings = directory / "vectors.npy"
    np.save(embeddings, np.asarray(vectors, np.float16))
    return listings, embeddings


def test_the_eval_command_prints_the_table(tmp_path):
    listings, embeddings = write_dataset(tmp_path)
    out = io.StringIO()
    output = tmp_path / "table.md"
    call_command(
        "eval-foryou", "--listings", str(listings), "--embeddings", str(embeddings),
        "--hf-dir", str(tmp_path / "none"), "--readers", "4", "--no-progress",
        "--output", str(output), stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "| method | 3 signals | 10 signals | 30 signals |" in text
    for label in ("random", "popularity", "centroid similarity", "**chosen"):
        assert label in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "/" in line]
    assert len(rows) == 8
    assert all(re.search(r"\d\.\d{3} / \d\.\d{3} / \d\.\d{3}", row) for row in rows)
    assert output.read_text().strip() == text.strip()


def test_the_eval_command_says_what_is_missing(tmp_path):
    with pytest.raises(CommandError, match="no such file.*--listings"):
        call_command("eval-foryou", "--listings", str(tmp_path / "absent.jsonl.gz"))
    listings, embeddings = write_dataset(tmp_path)
    with pytest.raises(CommandError, match="unknown method"):
        call_command("eval-foryou", "--listings", str(listings), "--embeddings", str(embeddings), "--methods", "magic")  # fmt: skip


def test_the_ranking_core_imports_without_django():
    code = "import sys, dailypapers.foryou.ranking; assert 'django' not in sys.modules"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)


def test_it_copes_with_nothing_to_contrast_or_rank(world):
    c = world["candidates"]
    model = ranking.fit(history(world["liked"], [world["dismissed"]]), np.zeros((0, D)))
    assert set(np.argsort(-ranking.score(model, c))[:3]) == {0, 1, 2}
    nothing = Candidates(np.zeros((0, D), np.float32), [], [], [])
    assert ranking.score_many([model, model], nothing).shape == (2, 0)
    assert ranking.score_many([], c).shape == (0, len(c))
