"""Semantic and hybrid search with the real embedding model (the bundled ONNX
bge-small), and similar papers. Corpora are a handful of short abstracts on clearly
different topics: the model embeds ~10–20 texts a second here."""

import io

import pytest
from django.core.management import CommandError, call_command

from dailypapers.papers.models import Paper
from dailypapers.search import service
from dailypapers.search.indexing import embed_pending, pending
from dailypapers.search.keyword import Filters
from dailypapers.search.models import PaperEmbedding
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

# Four papers that share no topic. Their words are chosen so that the queries below share
# none with their target: only meaning can find it.
TOPICS = {
    "protein": (
        "Predicting protein folding structures",
        "We predict the three-dimensional structure of proteins from amino acid sequences with a deep network.",
    ),
    "segmentation": (
        "Semantic image segmentation with convolutional networks",
        "We label every pixel of a photograph with its object class.",
    ),
    "robots": (
        "Reinforcement learning for legged robots",
        "A quadruped robot learns locomotion policies in simulation and transfers them to hardware.",
    ),
    "speech": (
        "End-to-end speech recognition",
        "We transcribe spoken audio into text with an attention-based acoustic model.",
    ),
}
# (query, the topic it means); no query shares a word (after stemming) with its topic.
MEANINGS = [
    ("teaching machines to walk with trial and error rewards", "robots"),
    ("turning voice into written words", "speech"),
    ("coloring each dot in a picture by what thing it belongs to", "segmentation"),
    ("how molecules of life take their shape", "protein"),
]


def make_topics(embed=True, **fields):
    """{topic: Paper} for TOPICS (fields[topic] overrides that paper's fields), embedded."""
    papers = {}
    for topic, (title, abstract) in TOPICS.items():
        papers[topic] = make_paper(title=title, abstract=abstract, **fields.get(topic, {}))
    if embed:
        tally = embed_pending()
        assert tally.embedded == len(TOPICS)
    return papers


def ids_of(results):
    return [hit.paper.arxiv_id for hit in results.hits]


def semantic(text, **kwargs):
    return ids_of(service.search(text, mode="semantic", **kwargs))


def keyword(text, **kwargs):
    return ids_of(service.search(text, mode="keyword", **kwargs))


# --- Semantic ranking ------------------------------------------------------------------------


def test_a_query_sharing_no_word_with_a_paper_finds_it_by_meaning(embedder):
    papers = make_topics()
    for text, topic in MEANINGS:
        assert papers[topic].arxiv_id not in keyword(text), text
        ranked = semantic(text)
        assert ranked[0] == papers[topic].arxiv_id, text
        assert sorted(ranked) == sorted(p.arxiv_id for p in papers.values())


def test_semantic_results_say_what_ran_and_carry_only_semantic_ranks(embedder):
    make_topics()
    results = service.search("teaching machines to walk", mode="semantic")
    assert results.ran == "semantic" and results.semantic_note is None
    assert [hit.semantic_rank for hit in results.hits] == [1, 2, 3, 4]
    assert all(hit.keyword_rank is None for hit in results.hits)


def test_hybrid_fuses_keyword_and_semantic_ranks(embedder):
    papers = make_topics()
    results = service.search("robot locomotion", mode="hybrid")
    assert results.ran == "hybrid"
    top = results.hits[0]
    assert top.paper == papers["robots"]
    assert (top.keyword_rank, top.semantic_rank) == (1, 1)
    # The others match by meaning only: semantic rank, no keyword rank, lower scores.
    assert len(results.hits) == len(TOPICS)
    for hit in results.hits[1:]:
        assert hit.keyword_rank is None and hit.semantic_rank is not None
        assert hit.score < top.score
    weights = service.KEYWORD_WEIGHT + service.SEMANTIC_WEIGHT
    assert top.score == pytest.approx(weights / (service.RRF_K + 1))


def test_hybrid_ranks_a_keyword_only_match_of_an_unembedded_paper(embedder):
    papers = make_topics()
    fresh = make_paper(title="Robot locomotion on ice", abstract="Slipping.")  # not embedded yet
    results = service.search("robot locomotion", mode="hybrid")
    ranks = {hit.paper.arxiv_id: (hit.keyword_rank, hit.semantic_rank) for hit in results.hits}
    assert ranks[fresh.arxiv_id][0] is not None and ranks[fresh.arxiv_id][1] is None
    assert ranks[papers["robots"].arxiv_id] == (ranks[papers["robots"].arxiv_id][0], 1)
    assert results.hits[0].paper == papers["robots"]


def test_semantic_search_applies_filters_and_never_returns_hidden_papers(embedder):
    papers = make_topics(robots={"categories": ["cs.RO"], "primary_category": "cs.RO"})
    walking = MEANINGS[0][0]
    assert semantic(walking, filters=Filters(category="cs.RO")) == [papers["robots"].arxiv_id]
    assert papers["robots"].arxiv_id not in semantic(walking, filters=Filters(category="cs.LG"))
    assert semantic(walking, filters=Filters(category="math.AG")) == []
    Paper.objects.filter(pk=papers["robots"].pk).update(hidden=True)
    for mode in service.MODES:
        shown = ids_of(service.search(walking, mode=mode))
        assert papers["robots"].arxiv_id not in shown, mode
    assert len(semantic(walking)) == len(TOPICS) - 1


def test_a_changed_abstract_is_embedded_again_and_searched_by_its_new_meaning(embedder):
    papers = make_topics()
    speech = papers["speech"]
    before = PaperEmbedding.objects.get(paper=speech)
    assert semantic("turning voice into written words")[0] == speech.arxiv_id
    assert semantic("how to bake a cake")[0] != speech.arxiv_id  # speech scores last (0.40 to 0.45)
    speech.title = "Cooking with neural networks"
    speech.abstract = "We generate recipes for baking bread and cakes."
    speech.save()
    assert pending(embedder.name) == ([speech.pk], len(TOPICS) - 1)
    # Until it is embedded again, the paper is found by its old meaning.
    assert semantic("turning voice into written words")[0] == speech.arxiv_id
    tally = embed_pending()
    assert (tally.embedded, tally.up_to_date) == (1, len(TOPICS) - 1)
    after = PaperEmbedding.objects.get(paper=speech)
    # Replaced by a new row (ids only grow), which tells every process's index to read it.
    assert after.pk > before.pk and after.text_hash != before.text_hash
    assert PaperEmbedding.objects.count() == len(TOPICS)
    # The same process's vector index, already loaded, follows.
    assert semantic("how to bake a cake")[0] == speech.arxiv_id


def test_embed_pending_does_nothing_when_every_paper_is_up_to_date(embedder):
    make_topics()
    tally = embed_pending()
    assert (tally.embedded, tally.up_to_date) == (0, len(TOPICS))


def test_embed_command_prints_counts_and_a_second_run_embeds_nothing(embedder):
    make_topics(embed=False)
    out = io.StringIO()
    call_command("embed", "--no-progress", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        f"{len(TOPICS)} paper(s) embedded with {embedder.name}, 0 already up to date"
    )
    assert PaperEmbedding.objects.filter(model=embedder.name).count() == len(TOPICS)
    ids = set(PaperEmbedding.objects.values_list("id", flat=True))
    out = io.StringIO()
    call_command("embed", "--no-progress", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        f"0 paper(s) embedded with {embedder.name}, {len(TOPICS)} already up to date"
    )
    assert set(PaperEmbedding.objects.values_list("id", flat=True)) == ids


def test_embed_command_limit_embeds_at_most_that_many(embedder):
    make_topics(embed=False)
    out = io.StringIO()
    call_command("embed", "--no-progress", "--limit", "1", stdout=out)
    assert out.getvalue().startswith(
        f"1 paper(s) embedded with {embedder.name}, 0 already up to date"
    )
    assert PaperEmbedding.objects.count() == 1
    with pytest.raises(CommandError, match="--limit must not be negative"):
        call_command("embed", "--limit", "-1")


def test_papers_imported_with_embed_on_import_are_embedded(embedder, settings):
    from dailypapers.search.indexing import embed_after_ingest

    make_topics(embed=False)
    lines = []
    settings.EMBED_ON_IMPORT = True
    embed_after_ingest(lines.append)
    assert lines == [f"embeddings: {len(TOPICS)} computed, 0 up to date"]
    settings.EMBED_ON_IMPORT = False
    lines.clear()
    assert embed_after_ingest(lines.append) is None and lines == []


# --- Similar papers --------------------------------------------------------------------------

# A second protein paper: the clear nearest neighbour of the first.
FOLDING = (
    "Folding proteins with language models",
    "Amino acid sequences are mapped to 3D structures by a transformer.",
)


def test_similar_papers_are_the_nearest_by_meaning_without_the_paper_itself(embedder):
    papers = make_topics()
    twin = make_paper(title=FOLDING[0], abstract=FOLDING[1])
    embed_pending()
    similar = service.similar(papers["protein"], k=3)
    assert similar[0] == twin
    assert papers["protein"] not in similar and len(similar) == 3
    assert service.similar(twin, k=1) == [papers["protein"]]


def test_similar_papers_never_include_hidden_ones(embedder):
    papers = make_topics()
    twin = make_paper(title=FOLDING[0], abstract=FOLDING[1])
    embed_pending()
    Paper.objects.filter(pk=twin.pk).update(hidden=True)
    similar = service.similar(papers["protein"], k=10)
    assert twin not in similar and papers["protein"] not in similar
    assert len(similar) == len(TOPICS) - 1


def test_similar_papers_are_cached_but_a_paper_hidden_since_is_left_out(
    embedder, django_assert_num_queries
):
    papers = make_topics()
    twin = make_paper(title=FOLDING[0], abstract=FOLDING[1])
    embed_pending()
    assert service.similar(papers["protein"], k=1) == [twin]
    # Asked again: only the papers are read (the ids come from the cache).
    with django_assert_num_queries(1):
        assert service.similar(papers["protein"], k=1) == [twin]
    Paper.objects.filter(pk=twin.pk).update(hidden=True)
    [instead] = service.similar(papers["protein"], k=1)
    assert instead not in (twin, papers["protein"])


def test_similar_papers_of_an_unembedded_paper_share_its_title_words(embedder):
    papers = make_topics()
    fresh = make_paper(title="Speech recognition for children", abstract="Young voices.")
    assert not PaperEmbedding.objects.filter(paper=fresh).exists()
    assert service.similar(fresh, k=5) == [papers["speech"]]


def test_the_paper_page_lists_the_nearest_paper_as_similar(client, embedder):
    papers = make_topics()
    twin = make_paper(title=FOLDING[0], abstract=FOLDING[1])
    embed_pending()
    html = client.get(papers["protein"].get_absolute_url()).content.decode()
    assert "Similar papers" in html
    section = html[html.index("Similar papers") :]
    assert section.index(twin.title) < section.index(papers["segmentation"].title)
    assert f'href="/papers/{twin.arxiv_id}"' in section
    assert f'href="/papers/{papers["protein"].arxiv_id}"' not in section


def test_the_similar_api_returns_at_most_limit_papers_never_the_paper_or_hidden_ones(
    client, embedder
):
    papers = make_topics()
    twin = make_paper(title=FOLDING[0], abstract=FOLDING[1])
    embed_pending()
    protein = papers["protein"].arxiv_id
    response = client.get(f"/api/papers/{protein}/similar?limit=2")
    assert response.status_code == 200
    data = response.json()
    assert [p["id"] for p in data][:1] == [twin.arxiv_id] and len(data) == 2
    assert protein not in [p["id"] for p in data]
    Paper.objects.filter(pk=twin.pk).update(hidden=True)
    data = client.get(f"/api/papers/{protein}/similar?limit=50").json()
    ids = [p["id"] for p in data]
    assert twin.arxiv_id not in ids and protein not in ids and len(ids) == len(TOPICS) - 1
    assert [p["id"] for p in client.get(f"/api/papers/{protein}/similar").json()] == ids


def test_the_similar_api_falls_back_to_title_words_without_an_embedding(client):
    speech = make_paper(title="End-to-end speech recognition", abstract="Audio.")
    fresh = make_paper(title="Speech recognition for children", abstract="Young voices.")
    make_paper(title="Protein folding", abstract="Amino acids.")
    data = client.get(f"/api/papers/{fresh.arxiv_id}/similar?limit=2").json()
    assert [p["id"] for p in data] == [speech.arxiv_id]


def test_the_similar_api_is_a_404_for_an_unknown_or_hidden_paper(client):
    hidden = make_paper(title="Hidden", hidden=True)
    for arxiv_id in ["2501.99999", hidden.arxiv_id, "not-an-id"]:
        response = client.get(f"/api/papers/{arxiv_id}/similar")
        assert response.status_code == 404, arxiv_id
        assert response.json() == {"error": "no such paper"}


@pytest.mark.parametrize("limit", ["0", "51", "two"])
def test_the_similar_api_rejects_a_bad_limit(client, limit):
    paper = make_paper()
    response = client.get(f"/api/papers/{paper.arxiv_id}/similar?limit={limit}")
    assert response.status_code == 400 and "error" in response.json()
