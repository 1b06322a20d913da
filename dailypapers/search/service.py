"""Search as the pages and the API use it: keyword, semantic or hybrid, with filters,
pages of results and highlighted matches; and similar papers.

Hybrid ranking fuses the keyword list and the semantic list by reciprocal rank fusion
(each paper scores the sum of weight / (RRF_K + its rank) over the lists that hold it),
the method measured best on the judged collections (README, "Search quality").
When the embedding model is unavailable, hybrid and semantic searches answer with
keyword results and say so (`Results.semantic_note`).
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from dailypapers.core.pagecache import remember
from dailypapers.lib import highlight as highlighting
from dailypapers.lib.searchquery import parse_query
from dailypapers.papers.models import Paper
from dailypapers.search import embedding, keyword, vectors
from dailypapers.search.keyword import NO_FILTERS, Filters
from dailypapers.search.models import PaperEmbedding

log = logging.getLogger(__name__)

MODES = ("hybrid", "keyword", "semantic")
# Fusion settings, chosen on the judged collections (README, "Search quality"): 100
# candidates from each list, k = 40, and the words a person typed weighing a little
# more than meaning. Chosen where the neighbouring settings (k 35 to 45, weight 1.1 to
# 1.15) clear both targets too: int8 embeddings differ slightly from one CPU to
# another, and k = 30 with weight 1.2 fell to 0.549997 on CACM on another machine.
DEPTH = 100
MAX_DEPTH = 1000
RRF_K = 40
KEYWORD_WEIGHT = 1.1
SEMANTIC_WEIGHT = 1.0

_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="embed-query")

__all__ = ["Filters", "NO_FILTERS", "MODES", "search", "similar", "rrf", "warm"]


@dataclass
class Hit:
    paper: Paper
    score: float
    keyword_rank: int | None = None
    semantic_rank: int | None = None
    title_html: str = ""
    snippet_html: str = ""


@dataclass
class Results:
    query: str
    mode: str
    hits: list = field(default_factory=list)
    offset: int = 0
    limit: int = 20
    has_more: bool = False
    # What actually ran: "keyword" when semantic search was asked for but is unavailable.
    ran: str = ""
    semantic_note: str | None = None


def rrf(lists, weights=None, k=RRF_K):
    """Reciprocal rank fusion of ranked lists of ids: [(id, fused score)], best first.
    Equal scores are ordered by the better rank in any one list, then by the earlier
    list (the keyword list comes first)."""
    weights = weights or [1.0] * len(lists)
    scores = {}
    best = {}
    for position, (ranked, weight) in enumerate(zip(lists, weights)):
        for rank, key in enumerate(ranked, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
            if key not in best or (rank, position) < best[key]:
                best[key] = (rank, position)
    return sorted(scores.items(), key=lambda kv: (-kv[1], best[kv[0]]))


def semantic_available():
    return embedding.get_embedder() is not None


def _hidden_among(ids):
    """Which of `ids` are hidden papers (answered from the (id, hidden) index)."""
    return set(Paper.objects.filter(id__in=list(ids), hidden=True).values_list("id", flat=True))


def semantic_ids(vector, depth, filters=NO_FILTERS, exclude=()):
    """Paper ids nearest to `vector`, best first, visible and passing `filters`."""
    store = vectors.store_for(embedding.model_name())
    allowed = None
    if filters:
        allowed = np.fromiter(
            filters.apply(Paper.objects.visible()).values_list("id", flat=True), dtype=np.int64
        )
        allowed.sort()
        if len(allowed) == 0:
            return []
    # With filters, `allowed` holds visible papers only; without, hidden ones are dropped
    # from the answer (a few more are asked for).
    found = store.search(vector, depth + len(exclude) + 10, allowed)
    hidden = _hidden_among(pk for pk, _ in found) if allowed is None else ()
    return [pk for pk, _ in found if pk not in exclude and pk not in hidden][:depth]


def search(text, *, mode="hybrid", filters=NO_FILTERS, offset=0, limit=20, highlight=True):
    """One page of results for what a person typed. Never raises on odd input."""
    mode = mode if mode in MODES else "hybrid"
    query = parse_query(text)
    results = Results(query=query.text, mode=mode, offset=offset, limit=limit, ran=mode)
    if not query.text:
        return results
    depth = min(max(DEPTH, offset + limit + 1), MAX_DEPTH)

    vector = None
    if mode in ("hybrid", "semantic"):
        embedder = embedding.get_embedder()
        if embedder is None:
            results.semantic_note = f"Semantic search is off: {embedding.unavailable_reason()}. Showing keyword matches."
            results.ran = "keyword"
        else:
            # The model runs outside the GIL: embed the query on another core while this
            # thread asks the database for keyword matches.
            vector = _pool.submit(embedder.embed_query, query.text)
    lexical = []
    if results.ran in ("hybrid", "keyword"):
        lexical = [pk for pk, _ in keyword.search(query, depth, filters)]
    semantic = semantic_ids(vector.result(), depth, filters) if vector is not None else []

    if results.ran == "hybrid":
        ranked = rrf([lexical, semantic], [KEYWORD_WEIGHT, SEMANTIC_WEIGHT])
    else:
        ranked = [(pk, 1.0 / (RRF_K + r)) for r, pk in enumerate(semantic or lexical, start=1)]
    page = ranked[offset : offset + limit]
    results.has_more = len(ranked) > offset + limit
    ids = [pk for pk, _ in page]
    papers = Paper.objects.in_bulk(ids)
    kw_rank = {pk: r for r, pk in enumerate(lexical, start=1)}
    sem_rank = {pk: r for r, pk in enumerate(semantic, start=1)}
    words = query.words()
    for pk, score in page:
        paper = papers.get(pk)
        if paper is None:
            continue  # deleted between the two queries
        hit = Hit(
            paper=paper, score=score, keyword_rank=kw_rank.get(pk), semantic_rank=sem_rank.get(pk)
        )
        if highlight:
            hit.title_html = highlighting.marked(paper.title, words)
            hit.snippet_html = highlighting.snippet(paper.abstract, words)
        results.hits.append(hit)
    return results


def warm():
    """Load what the first search would otherwise wait for: the model, the vectors and
    the index file (read into the page cache in the background). `dailypapers serve`
    runs it on a thread of each new server process."""
    try:
        if embedding.get_embedder() is not None:
            vectors.store_for(embedding.model_name()).refresh()
    except Exception:  # a failed warm-up only costs the first search its time
        log.exception("Warming up search failed")


def newest(limit, filters=NO_FILTERS):
    """The newest visible papers passing `filters` (a search with nothing typed)."""
    return list(filters.apply(Paper.objects.visible()).order_by("-arxiv_id")[:limit])


# Similar papers change only when papers are added or edited: each paper's list is kept
# this long (a keyword fallback over a large catalogue costs several milliseconds).
SIMILAR_CACHE_SECONDS = 600
SIMILAR_SPARE = 5


def similar(paper, k=5):
    """Papers nearest in meaning to `paper` (visible ones), best first. Falls back to
    a keyword search on its title when the paper has no vector (the model is off, or
    it has not been embedded yet). The ids are cached per paper version; hidden papers
    are left out when they are read."""
    stamp = paper.updated_at.timestamp() if paper.updated_at else 0
    key = f"similar:{embedding.model_name()}:{paper.pk}:{stamp}:{k}"
    # A few spare ones, so that a paper hidden meanwhile leaves no gap.
    ids = remember(key, lambda: _similar_ids(paper, k + SIMILAR_SPARE), SIMILAR_CACHE_SECONDS)
    papers = Paper.objects.visible().in_bulk(ids)
    return [papers[pk] for pk in ids if pk in papers][:k]


def _similar_ids(paper, k):
    row = (
        PaperEmbedding.objects.filter(paper=paper, model=embedding.model_name())
        .only("vector")
        .first()
    )
    if row is not None:
        vector = PaperEmbedding.unpack(row.vector).astype(np.float32)
        return semantic_ids(vector, k, exclude={paper.pk})
    query = parse_query(paper.title)
    return [pk for pk, _ in keyword.search(query, k + 1) if pk != paper.pk][:k]


def paper_vectors(paper_ids):
    """(ids, matrix): the vectors (this model's) of those of `paper_ids` that have one,
    in the order given, as unit-length float32 rows; read from this process's vector
    store (search/vectors.py), which every search keeps up to date."""
    paper_ids = list(paper_ids)
    name = embedding.model_name()
    found = vectors.store_for(name).vectors(paper_ids)
    ids = [pk for pk in paper_ids if pk in found]
    if not ids:
        return [], np.zeros((0, _dimension(name)), np.float32)
    matrix = np.stack([found[pk] for pk in ids]).astype(np.float32, copy=False)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return ids, matrix


def vectors_stamp():
    """Changes whenever a paper gets a new vector (or the built index file changes)."""
    store = vectors.store_for(embedding.model_name())
    store.refresh()
    return (store.watermark, store.ann_stamp)


def _dimension(name):
    row = PaperEmbedding.objects.filter(model=name).only("vector").first()
    return len(PaperEmbedding.unpack(row.vector)) if row is not None else 0
