"""The vector index (dailypapers/search/vectors.py): exact search in NumPy, the per-process
store that follows the database, and the persisted HNSW (usearch) file."""

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from dailypapers.papers.models import Paper
from dailypapers.search import service, vectors
from dailypapers.search.indexing import embed_pending
from dailypapers.search.keyword import Filters
from dailypapers.search.models import PaperEmbedding
from dailypapers.search.vectors import ExactIndex, VectorStore, build_ann
from tests.factories import make_paper
from tests.test_search_semantic import MEANINGS, TOPICS, make_topics

# Vectors stored under a model name of their own, so these tests need no model.
SYNTHETIC = "synthetic-test-model"


def unit(*components):
    v = np.asarray(components, dtype=np.float32)
    return v / np.linalg.norm(v)


def store_vector(paper, vector, model=SYNTHETIC):
    """One embedding row, as indexing.store writes it (replacing any earlier one)."""
    PaperEmbedding.objects.filter(paper=paper).delete()
    return PaperEmbedding.objects.create(
        paper=paper, model=model, text_hash="-", vector=PaperEmbedding.pack(vector)
    )


@pytest.fixture(autouse=True)
def _model_before_usearch(embedder):
    # Loading onnxruntime after usearch crashes the process (see
    # test_loading_the_model_after_an_index_file_was_opened_does_not_crash): load the
    # model first, as the search page does, so that these tests can run at all.
    pass


@pytest.fixture
def index_dir(settings, tmp_path):
    settings.VECTOR_INDEX_DIR = tmp_path / "index"
    return settings.VECTOR_INDEX_DIR


# --- ExactIndex ------------------------------------------------------------------------------


def test_exact_index_returns_the_nearest_keys_best_first_with_cosines():
    index = ExactIndex(3)
    assert index.search(unit(1, 0, 0), 5) == []
    index.add([10, 20, 30], [unit(1, 0, 0), unit(1, 1, 0), unit(0, 0, 1)])
    assert len(index) == 3
    found = index.search(unit(1, 0.1, 0), 2)
    assert [k for k, _ in found] == [10, 20]
    assert found[0][1] == pytest.approx(float(unit(1, 0.1, 0) @ unit(1, 0, 0)), abs=1e-6)
    everything = index.search(unit(0, 0, 1), 10)
    assert len(everything) == 3 and everything[0] == (30, pytest.approx(1.0))
    assert index.search(unit(0, 0, 1), 0) == []


def test_exact_index_replaces_the_vector_of_a_key_added_again():
    index = ExactIndex(2)
    index.add([1, 2], [unit(1, 0), unit(0, 1)])
    index.add([1], [unit(0, 1)])
    assert len(index) == 2
    assert np.allclose(index.vector(1), unit(0, 1))
    assert index.vector(3) is None
    assert index.search(unit(1, 0), 1)[0][1] == pytest.approx(0.0, abs=1e-6)


def test_exact_index_returns_only_allowed_keys():
    index = ExactIndex(2)
    index.add([1, 2, 3], [unit(1, 0), unit(1, 0.2), unit(0, 1)])
    allowed = np.array([2, 3], dtype=np.int64)
    assert [k for k, _ in index.search(unit(1, 0), 5, allowed)] == [2, 3]
    assert [k for k, _ in index.search(unit(1, 0), 1, allowed)] == [2]
    assert index.search(unit(1, 0), 5, np.array([], dtype=np.int64)) == []
    assert index.search(unit(1, 0), 5, np.array([99], dtype=np.int64)) == []


def test_exact_index_grows_past_its_first_allocation():
    rng = np.random.default_rng(7)
    data = rng.normal(size=(2500, 8)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    index = ExactIndex(8)
    for start in range(0, 2500, 700):
        index.add(np.arange(start, min(start + 700, 2500)), data[start : start + 700])
    assert len(index) == 2500
    for i in [0, 1023, 1024, 2047, 2499]:
        assert index.search(data[i], 1)[0][0] == i


# --- VectorStore: following the database ----------------------------------------------------


@pytest.mark.django_db
def test_the_store_picks_up_rows_added_after_its_first_search(index_dir):
    a, b = make_paper(), make_paper()
    store_vector(a, unit(1, 0, 0))
    store = VectorStore(SYNTHETIC)
    assert [k for k, _ in store.search(unit(0, 1, 0), 5)] == [a.pk]
    store_vector(b, unit(0, 1, 0))
    assert [k for k, _ in store.search(unit(0, 1, 0), 5)] == [b.pk, a.pk]
    assert len(store) == 2 and store.ann is None


@pytest.mark.django_db
def test_the_store_follows_a_replaced_row(index_dir):
    a, b = make_paper(), make_paper()
    store_vector(a, unit(1, 0, 0))
    store_vector(b, unit(1, 1, 0))
    store = VectorStore(SYNTHETIC)
    assert store.search(unit(1, 0, 0), 1)[0][0] == a.pk
    store_vector(a, unit(0, 0, 1))  # re-embedded: a new row for the same paper
    assert store.search(unit(1, 0, 0), 1)[0][0] == b.pk
    assert store.search(unit(0, 0, 1), 1)[0][0] == a.pk
    assert len(store) == 2


@pytest.mark.django_db
def test_vectors_of_another_model_are_not_mixed_in(index_dir):
    a, b = make_paper(), make_paper()
    store_vector(a, unit(1, 0, 0))
    store_vector(b, unit(1, 0, 0), model="another-model")
    assert [k for k, _ in VectorStore(SYNTHETIC).search(unit(1, 0, 0), 5)] == [a.pk]
    assert [k for k, _ in vectors.store_for("another-model").search(unit(1, 0, 0), 5)] == [b.pk]


@pytest.mark.django_db
def test_the_store_search_filters_to_allowed_keys(index_dir):
    papers = [make_paper() for _ in range(3)]
    for paper, v in zip(papers, [unit(1, 0), unit(1, 0.1), unit(0, 1)]):
        store_vector(paper, v)
    allowed = np.array(sorted([papers[1].pk, papers[2].pk]), dtype=np.int64)
    assert [k for k, _ in VectorStore(SYNTHETIC).search(unit(1, 0), 5, allowed)] == [
        papers[1].pk,
        papers[2].pk,
    ]


# --- The persisted HNSW file ------------------------------------------------------------------


@pytest.mark.django_db
def test_build_ann_does_nothing_below_the_threshold_unless_forced(index_dir):
    store_vector(make_paper(), unit(1, 0))
    result = build_ann(SYNTHETIC)
    assert result["built"] is False and "VECTOR_ANN_THRESHOLD" in result["reason"]
    assert not index_dir.exists()
    assert build_ann(SYNTHETIC, force=True)["built"] is True
    assert build_ann(SYNTHETIC, force=True) == {
        "built": False,
        "vectors": 1,
        "reason": "already up to date",
    }


@pytest.mark.django_db
def test_build_ann_of_no_vectors_builds_nothing(index_dir):
    assert build_ann(SYNTHETIC, force=True)["built"] is False
    assert not index_dir.exists()


@pytest.mark.django_db
def test_a_built_file_is_memory_mapped_and_agrees_with_exact_search(index_dir, embedder):
    papers = make_topics()
    rows = list(PaperEmbedding.objects.filter(model=embedder.name))
    exact = ExactIndex(embedder.dim)
    exact.add([r.paper_id for r in rows], np.stack([PaperEmbedding.unpack(r.vector) for r in rows]))

    result = build_ann(embedder.name, force=True)
    assert result["built"] is True and result["vectors"] == result["added"] == len(TOPICS)
    assert all(path.is_file() for path in vectors._index_paths(embedder.name))

    store = VectorStore(embedder.name)
    for text, topic in MEANINGS:
        query = embedder.embed_query(text)
        from_file = store.search(query, 1)
        assert from_file[0][0] == exact.search(query, 1)[0][0] == papers[topic].pk, text
        assert from_file[0][1] == pytest.approx(exact.search(query, 1)[0][1], abs=0.05)
    # Served from the file: nothing was read into the exact index.
    assert store.ann is not None and store.exact is None and len(store) == len(TOPICS)


@pytest.mark.django_db
def test_rows_newer_than_the_file_are_searched_beside_it(index_dir, embedder):
    papers = make_topics()
    build_ann(embedder.name, force=True)
    store = vectors.store_for(embedder.name)
    store.search(embedder.embed_query("anything"), 1)
    assert store.ann is not None
    cooking = make_paper(
        title="Cooking with neural networks",
        abstract="We generate recipes for baking bread and cakes.",
    )
    embed_pending()
    query = embedder.embed_query("how to bake a loaf at home")
    assert store.search(query, 1)[0][0] == cooking.pk
    assert store.ann is not None and len(store.exact) == 1
    # Re-embedded since the file was built: the newer vector wins over the file's.
    robots = papers["robots"]
    robots.abstract = "Sourdough starters, proofing and baking loaves in a home oven."
    robots.title = "Bread at home"
    robots.save()
    embed_pending()
    walking = embedder.embed_query(MEANINGS[0][0])
    found = [k for k, _ in store.search(walking, 5)]
    assert found[0] != robots.pk
    assert len(found) == len(set(found)) == len(TOPICS) + 1
    # The site's search uses the same store.
    assert [h.paper for h in service.search("how to bake a loaf at home", mode="semantic").hits][
        :2
    ] in (
        [cooking, robots],
        [robots, cooking],
    )


@pytest.mark.django_db
def test_an_existing_store_switches_to_a_file_built_after_it_started(index_dir):
    papers = [make_paper() for _ in range(3)]
    for paper, v in zip(papers, [unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)]):
        store_vector(paper, v)
    store = vectors.store_for(SYNTHETIC)
    assert store.search(unit(0, 1, 0), 1)[0][0] == papers[1].pk and store.ann is None
    build_ann(SYNTHETIC, force=True)
    assert store.search(unit(0, 1, 0), 1)[0][0] == papers[1].pk
    assert store.ann is not None and store.exact is None


@pytest.mark.django_db
def test_incremental_build_adds_only_the_new_rows(index_dir):
    papers = [make_paper() for _ in range(3)]
    for paper, v in zip(papers[:2], [unit(1, 0, 0), unit(0, 1, 0)]):
        store_vector(paper, v)
    assert build_ann(SYNTHETIC, force=True)["added"] == 2
    store_vector(papers[2], unit(0, 0, 1))
    result = build_ann(SYNTHETIC, force=True)
    assert (result["added"], result["vectors"]) == (1, 3)
    store = VectorStore(SYNTHETIC)
    assert store.search(unit(0, 0, 1), 1)[0][0] == papers[2].pk and store.exact is None


@pytest.mark.django_db
def test_a_damaged_file_is_ignored_and_search_is_exact(index_dir):
    a, b = make_paper(), make_paper()
    store_vector(a, unit(1, 0))
    store_vector(b, unit(0, 1))
    build_ann(SYNTHETIC, force=True)
    usearch_file = index_dir / f"{SYNTHETIC}.usearch"
    usearch_file.write_bytes(b"not an index")
    store = VectorStore(SYNTHETIC)
    assert [k for k, _ in store.search(unit(0, 1), 2)] == [b.pk, a.pk]
    assert store.ann is None and len(store.exact) == 2


@pytest.mark.django_db
def test_search_index_command_explains_the_threshold_and_builds_when_forced(index_dir, settings):
    settings.EMBEDDING_MODEL_NAME = SYNTHETIC
    for v in [unit(1, 0), unit(0, 1)]:
        store_vector(make_paper(), v)
    out = io.StringIO()
    call_command("search-index", "--no-progress", stdout=out)
    assert out.getvalue().strip() == (
        f"{SYNTHETIC}: 2 vectors; index not built: below VECTOR_ANN_THRESHOLD ({vectors.ann_threshold():,}) "
        "(use --force to build anyway)"
    )
    out = io.StringIO()
    call_command("search-index", "--no-progress", "--force", stdout=out)
    assert out.getvalue().startswith(f"{SYNTHETIC}: 2 vectors indexed (2 added) in ")
    assert (index_dir / f"{SYNTHETIC}.usearch").is_file()
    settings.VECTOR_ANN_THRESHOLD = 2
    out = io.StringIO()
    call_command("search-index", "--no-progress", "--rebuild", stdout=out)
    assert out.getvalue().startswith(f"{SYNTHETIC}: 2 vectors indexed (2 added) in ")


def test_a_model_name_cannot_leave_the_index_directory(index_dir):
    for name in ["../../etc/passwd", "a/b", "..", "/abs"]:
        for path in vectors._index_paths(name):
            assert path.parent == index_dir, name


def test_each_model_has_its_own_index_file(index_dir):
    int8, fp32 = (
        vectors._index_paths("bge-small-en-v1.5-int8"),
        vectors._index_paths("bge-small-en-v1.5"),
    )
    assert int8[0].name == "bge-small-en-v1.5-int8.usearch"
    assert int8 != fp32


@pytest.mark.django_db
def test_a_store_never_serves_another_models_file(index_dir):
    old, new = make_paper(), make_paper()
    store_vector(old, unit(1, 0), model="synthetic-v1.5-int8")
    store_vector(new, unit(1, 0), model="synthetic-v1.5")
    build_ann("synthetic-v1.5-int8", force=True)
    build_ann("synthetic-v1.5", force=True)  # overwrites the int8 model's file
    assert [k for k, _ in VectorStore("synthetic-v1.5-int8").search(unit(1, 0), 5)] == [old.pk]


@pytest.mark.django_db
def test_loading_the_model_after_an_index_file_was_opened_does_not_crash(index_dir, embedder):
    make_topics()
    assert build_ann(embedder.name, force=True)["built"]
    # A fresh web process: the first request is a paper page (similar papers open the
    # index file), the second a search (which loads the model).
    script = (
        "import django; django.setup()\n"
        "from dailypapers.search import embedding, vectors\n"
        "store = vectors.VectorStore(embedding.model_name())\n"
        "store._refresh_ann()\n"
        "assert store.ann is not None\n"
        "print(embedding.get_embedder() is not None)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dailypapers.settings",
        "SECRET_KEY": "test",
        "DATA_DIR": str(index_dir.parent),
        "VECTOR_INDEX_DIR": str(index_dir),
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=Path(__file__).resolve().parents[1],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr[-2000:]


@pytest.mark.django_db
def test_a_filtered_semantic_search_finds_allowed_papers_beyond_the_files_first_answers(
    index_dir, settings
):
    settings.EMBEDDING_MODEL_NAME = SYNTHETIC
    rng = np.random.default_rng(3)
    start = Paper.objects.count() + 1
    crowd = Paper.objects.bulk_create(
        Paper(arxiv_id=f"2602.{start + n:05d}", title=f"Paper {n}", categories=["cs.LG"])
        for n in range(1200)
    )
    near = rng.normal(0, 0.05, size=(len(crowd), 8)).astype(np.float32)
    near[:, 0] = 1.0
    PaperEmbedding.objects.bulk_create(
        PaperEmbedding(
            paper=p, model=SYNTHETIC, text_hash="-", vector=PaperEmbedding.pack(unit(*v))
        )
        for p, v in zip(crowd, near)
    )
    robotics = make_paper(title="Robots", categories=["cs.RO"], primary_category="cs.RO")
    store_vector(robotics, unit(0, 1, 0, 0, 0, 0, 0, 0))
    query = unit(1, 0.2, 0, 0, 0, 0, 0, 0)
    # Searched exactly (no file yet), the one cs.RO paper is found.
    assert service.semantic_ids(query, 10, Filters(category="cs.RO")) == [robotics.pk]
    assert build_ann(SYNTHETIC, force=True)["built"]
    vectors.reset()
    assert vectors.store_for(SYNTHETIC).search(query, 1)[0][0] != robotics.pk  # the file is in use
    assert service.semantic_ids(query, 10, Filters(category="cs.RO")) == [robotics.pk]


@pytest.mark.django_db
def test_warming_up_loads_the_index_file_and_the_newer_vectors(index_dir, embedder):
    """What `dailypapers serve` runs in each new process: afterwards the store holds the
    memory-mapped file and every vector, and the first search reads nothing more."""
    make_topics()
    build_ann(embedder.name, force=True)
    extra = make_paper(
        title="A paper embedded after the file was built", abstract="Speech to text."
    )
    embed_pending()

    service.warm()
    store = vectors.store_for(embedder.name)
    assert store.ann is not None and len(store.ann) == len(TOPICS)
    assert store.exact is not None and extra.pk in store.exact.rows
    assert store.watermark == PaperEmbedding.objects.latest("id").pk


@pytest.mark.django_db
def test_warming_up_without_the_model_does_nothing(settings, index_dir):
    from dailypapers.search import embedding

    settings.SEMANTIC_SEARCH = False
    embedding.reset()
    try:
        service.warm()
        assert vectors._stores == {} or all(s.watermark == 0 for s in vectors._stores.values())
    finally:
        settings.SEMANTIC_SEARCH = True
        embedding.reset()
