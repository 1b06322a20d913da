"""Computing and storing embeddings: after imports, fetches and harvests, by `dailypapers
embed`, and by the worker. Resumable (each batch commits) and safe to run twice at once
(a paper embedded by another run in the meantime is left as that run stored it)."""

from dataclasses import dataclass

from django.db import transaction
from tqdm import tqdm

from dailypapers.papers.models import Paper
from dailypapers.search import embedding
from dailypapers.search.models import PaperEmbedding

SCAN_CHUNK = 5000
EMBED_BATCH = 128


@dataclass
class EmbedTally:
    embedded: int = 0
    up_to_date: int = 0


def pending(model):
    """([paper ids to embed], number already up to date), scanning the catalogue once.
    A paper needs embedding when it has no vector of `model` or its text changed."""
    todo, fine = [], 0
    last = 0
    while True:
        rows = list(
            Paper.objects.filter(id__gt=last)
            .order_by("id")
            .values_list("id", "title", "abstract", "embedding__model", "embedding__text_hash")[
                :SCAN_CHUNK
            ]
        )
        if not rows:
            break
        for pk, title, abstract, have_model, have_hash in rows:
            if have_model == model and have_hash == embedding.text_hash(
                embedding.paper_text(title, abstract)
            ):
                fine += 1
            else:
                todo.append(pk)
        last = rows[-1][0]
    return todo, fine


def store(embedder, papers):
    """Embed `papers` (id, title, abstract) and store their vectors in one transaction."""
    texts = [embedding.paper_text(title, abstract) for _, title, abstract in papers]
    vectors = embedder.embed_documents(texts)
    ids = [pk for pk, _, _ in papers]
    rows = [
        PaperEmbedding(
            paper_id=pk,
            model=embedder.name,
            text_hash=embedding.text_hash(text),
            vector=PaperEmbedding.pack(v),
        )
        for pk, text, v in zip(ids, texts, vectors)
    ]
    with transaction.atomic():
        # Replaced, not updated: a new row id tells every process's index to read it.
        PaperEmbedding.objects.filter(paper_id__in=ids).delete()
        PaperEmbedding.objects.bulk_create(rows, ignore_conflicts=True)


def embed_pending(
    embedder=None, *, limit=None, progress=False, batch=EMBED_BATCH, should_stop=None
):
    """Embed every paper whose vector is missing or stale. Returns an EmbedTally; with no
    embedder available, returns None."""
    embedder = embedder or embedding.get_embedder()
    if embedder is None:
        return None
    todo, fine = pending(embedder.name)
    if limit is not None:
        todo = todo[:limit]
    tally = EmbedTally(up_to_date=fine)
    bar = tqdm(
        total=len(todo),
        unit="paper",
        desc="Embedding",
        disable=not progress or not todo,
        leave=False,
    )
    with bar:
        for start in range(0, len(todo), batch):
            if should_stop is not None and should_stop():
                break
            ids = todo[start : start + batch]
            papers = list(Paper.objects.filter(id__in=ids).values_list("id", "title", "abstract"))
            store(embedder, papers)
            tally.embedded += len(papers)
            bar.update(len(ids))
    return tally


# --- After an import, fetch or harvest ----------------------------------------------------


def add_embed_argument(parser):
    parser.add_argument(
        "--no-embed",
        action="store_true",
        help="do not embed new papers for semantic search now (`dailypapers embed` does it later)",
    )


def embed_after_ingest(write, *, no_embed=False, progress=False):
    """Embed what an ingest command brought in, unless asked not to; report on `write`."""
    from django.conf import settings

    if no_embed or not settings.EMBED_ON_IMPORT:
        return None
    embedder = embedding.get_embedder()
    if embedder is None:
        write(f"semantic search is off ({embedding.unavailable_reason()}): papers not embedded")
        return None
    return update_index(write, embedder=embedder, progress=progress)


def update_index(write, *, embedder=None, progress=False, should_stop=None):
    """Embed every paper whose vector is missing or stale, then bring the persisted vector
    index up to date; report on `write`. The worker runs it after each harvest (its
    `should_stop` ends the embedding between batches). Returns the EmbedTally, or None
    with no embedder available."""
    embedder = embedder or embedding.get_embedder()
    if embedder is None:
        return None
    tally = embed_pending(embedder, progress=progress, should_stop=should_stop)
    write(f"embeddings: {tally.embedded} computed, {tally.up_to_date} up to date")
    from dailypapers.search.vectors import build_ann

    built = build_ann(embedder.name)
    if built["built"]:
        write(f"vector index: {built['vectors']:,} vectors")
    return tally


# --- Vectors shipped with data (the demo) -------------------------------------------------


def load_vectors(path):
    """Store the vectors of an .npz written by scripts/make_demo_embeddings.py for papers
    whose text still matches and that lack a current vector of the same model. Returns how
    many were stored; 0 when the file is absent or of another model."""
    import numpy as np

    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return 0
    model = str(data["model"])
    if model != embedding.model_name():
        return 0
    wanted = dict(
        zip(data["arxiv_ids"].tolist(), zip(data["text_hashes"].tolist(), data["vectors"]))
    )
    rows = []
    papers = Paper.objects.filter(arxiv_id__in=list(wanted)).values_list(
        "id", "arxiv_id", "title", "abstract", "embedding__model", "embedding__text_hash"
    )
    for pk, arxiv_id, title, abstract, have_model, have_hash in papers:
        stored_hash, vector = wanted[arxiv_id]
        current = embedding.text_hash(embedding.paper_text(title, abstract))
        if stored_hash == current and not (have_model == model and have_hash == current):
            rows.append(
                PaperEmbedding(
                    paper_id=pk, model=model, text_hash=current, vector=PaperEmbedding.pack(vector)
                )
            )
    with transaction.atomic():
        PaperEmbedding.objects.filter(paper_id__in=[r.paper_id for r in rows]).delete()
        PaperEmbedding.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
