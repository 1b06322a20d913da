"""Measuring search quality (dailypapers/search/evaluation.py and `dailypapers
eval-search`) on a tiny judged collection in BEIR layout, written to tmp_path."""

import io
import json
import math
import re

import pytest
from django.core.management import CommandError, call_command

from dailypapers.search import embedding
from dailypapers.search.evaluation import load_collection, ndcg, recall, summarise

DOCS = {
    "d1": (
        "Predicting protein folding structures",
        "Three-dimensional structure of proteins from their sequences.",
    ),
    "d2": (
        "Semantic image segmentation",
        "We label every pixel of a photograph with its object class.",
    ),
    "d3": (
        "Reinforcement learning for legged robots",
        "A quadruped robot learns locomotion policies in simulation.",
    ),
    "d4": ("End-to-end speech recognition", "We transcribe spoken audio into text."),
    "d5": ("Sorting algorithms", "Quicksort and mergesort compared on large arrays."),
    "d6": ("Volcanic eruptions", "Magma chambers and ash clouds."),
    "d7": ("Medieval trade routes", "Merchants crossing the Alps with salt."),
    "d8": ("Coral reef ecology", "Fish, algae and bleaching events."),
}
QUERIES = {
    "q1": "protein folding structures",  # the words of d1's title: keyword finds it first
    "q2": "volcanic eruptions magma",  # likewise d6
    "q3": "teaching machines to walk with trial and error",  # d3 by meaning only
}
QRELS = [("q1", "d1", 1), ("q2", "d6", 2), ("q3", "d3", 1)]


def write_collection(directory, qrels=True, header=True, corpus_lines=None):
    directory.mkdir(parents=True)
    lines = corpus_lines or [
        json.dumps({"_id": k, "title": t, "text": x, "metadata": {"authors": ["A. Author"]}})
        for k, (t, x) in DOCS.items()
    ]
    (directory / "corpus.jsonl").write_text("\n".join(lines) + "\n")
    (directory / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": k, "text": v}) for k, v in QUERIES.items())
    )
    if qrels:
        (directory / "qrels").mkdir()
        rows = (["query-id\tcorpus-id\tscore"] if header else []) + [
            f"{q}\t{d}\t{s}" for q, d, s in QRELS
        ]
        (directory / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n")
    return directory


@pytest.fixture
def collection(tmp_path):
    return write_collection(tmp_path / "tiny")


@pytest.fixture(autouse=True)
def _cache_in_tmp(settings, tmp_path):
    # Corpus embeddings are cached in DATA_DIR/cache: keep them out of the project's data.
    settings.DATA_DIR = tmp_path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("eval-search", *map(str, args), "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- Metrics ---------------------------------------------------------------------------------


def test_ndcg_on_hand_computed_examples():
    assert ndcg(["a", "b"], {"a": 1}) == 1.0
    assert ndcg(["x", "a"], {"a": 1}) == pytest.approx(1 / math.log2(3))  # 0.6309
    assert ndcg(["x", "y", "a"], {"a": 1}) == pytest.approx(0.5)
    # Graded: ideal order is b (2) then a (1).
    dcg = 1 + 2 / math.log2(3)
    idcg = 2 + 1 / math.log2(3)
    assert ndcg(["a", "b"], {"a": 1, "b": 2}) == pytest.approx(dcg / idcg)  # 0.8597
    assert ndcg(["b", "a"], {"a": 1, "b": 2}) == pytest.approx(1.0)
    assert ndcg([], {"a": 1}) == 0.0 and ndcg(["a"], {}) == 0.0
    # Only the first k count.
    assert ndcg([f"x{i}" for i in range(10)] + ["a"], {"a": 1}) == 0.0
    assert ndcg(["x", "a"], {"a": 1}, k=1) == 0.0


def test_recall_on_hand_computed_examples():
    assert recall(["a", "b"], {"b": 1, "c": 1}) == 0.5
    assert recall(["a", "b", "c"], {"b": 1, "c": 1}) == 1.0
    assert recall(["a", "b", "c"], {"b": 1, "c": 1}, k=2) == 0.5
    assert recall([], {"a": 1}) == 0.0 and recall(["a"], {}) == 0.0


def test_summarise_averages_over_the_judged_queries():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    assert summarise({"q1": ["a"], "q2": ["x", "y", "z"]}, qrels) == {
        "ndcg@10": 0.5,
        "recall@100": 0.5,
    }
    assert summarise({"q1": ["a"]}, qrels) == {
        "ndcg@10": 0.5,
        "recall@100": 0.5,
    }  # q2 found nothing


# --- Loading a collection --------------------------------------------------------------------


def test_a_collection_loads_with_or_without_the_qrels_header(tmp_path):
    for header in (True, False):
        loaded = load_collection(write_collection(tmp_path / f"c{header}", header=header))
        assert loaded.qrels == {"q1": {"d1": 1.0}, "q2": {"d6": 2.0}, "q3": {"d3": 1.0}}
        assert len(loaded.docs) == 8 and loaded.docs["d1"][2] == ["A. Author"]


def test_a_missing_qrels_file_is_a_clear_command_error(tmp_path):
    directory = write_collection(tmp_path / "noqrels", qrels=False)
    with pytest.raises(CommandError, match=re.escape(f"missing qrels/test.tsv in {directory}")):
        run(directory)


def test_a_missing_directory_or_a_broken_corpus_is_a_clear_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        run(tmp_path / "absent")
    broken = write_collection(
        tmp_path / "broken", corpus_lines=['{"_id": "d1", "title": "A"}', "{not json"]
    )
    with pytest.raises(CommandError, match=r"corpus\.jsonl:2: not JSON"):
        run(broken)


# --- The command -----------------------------------------------------------------------------


def test_eval_search_prints_every_modes_scores_as_json(collection, embedder):
    out, _ = run(collection, "--json")
    report = json.loads(out)
    assert set(report) == {"keyword", "semantic", "hybrid"}
    for mode, scores in report.items():
        assert set(scores) == {"ndcg@10", "recall@100"}, mode
        assert all(0.0 <= v <= 1.0 for v in scores.values()), (mode, scores)
    # q1 and q2 match their document's words exactly (ndcg 1.0 each); q3 shares no word.
    assert report["keyword"] == {"ndcg@10": round(2 / 3, 4), "recall@100": round(2 / 3, 4)}
    # Semantic search ranks the whole small corpus, so every judged document is found.
    assert report["semantic"]["recall@100"] == report["hybrid"]["recall@100"] == 1.0
    assert report["semantic"]["ndcg@10"] > report["keyword"]["ndcg@10"]


def test_a_perfectly_matched_query_scores_one(tmp_path, embedder):
    directory = write_collection(tmp_path / "perfect")
    (directory / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    report = json.loads(run(directory, "--json")[0])
    assert report["keyword"] == {"ndcg@10": 1.0, "recall@100": 1.0}


def test_eval_search_of_several_collections_prints_a_list_and_a_table(tmp_path, embedder):
    first = write_collection(tmp_path / "first")
    second = write_collection(tmp_path / "second")
    reports = json.loads(run(first, second, "--json")[0])
    assert isinstance(reports, list) and len(reports) == 2 and reports[0] == reports[1]
    table = run(first)[0].splitlines()
    assert table[0] == "first: 8 documents, 3 judged queries"
    assert re.fullmatch(r"  keyword +0\.667 +0\.667", table[2])
    assert [line.split()[0] for line in table[2:]] == ["keyword", "semantic", "hybrid"]


def test_eval_search_caches_corpus_embeddings_in_the_data_dir(collection, tmp_path, embedder):
    first = run(collection, "--json")[0]
    cached = list((tmp_path / "cache").glob("eval-*.npy"))
    assert len(cached) == 1
    assert run(collection, "--json")[0] == first
    assert run(collection, "--json", "--no-cache")[0] == first


def test_eval_search_without_the_model_reports_keyword_only(collection, settings):
    embedding.reset()
    try:
        settings.SEMANTIC_SEARCH = False
        out, err = run(collection, "--json")
        assert json.loads(out) == {
            "keyword": {"ndcg@10": round(2 / 3, 4), "recall@100": round(2 / 3, 4)},
            "semantic": None,
            "hybrid": None,
        }
        assert "semantic search is off" in err and "keyword only" in err
        table = run(collection)[0]
        assert re.search(r"  semantic +off +off", table)
    finally:
        embedding.reset()
