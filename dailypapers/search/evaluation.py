"""Measuring search quality on a judged collection in BEIR layout.

A collection directory holds corpus.jsonl ({_id, title, text, metadata}), queries.jsonl
({_id, text}) and qrels/test.tsv (query-id, corpus-id, score, with a header line).
The collection is indexed the way the site indexes papers, with the same code: an FTS5
table with the site's tokenizer and bm25 weights, the site's query parser, its embedding
model (documents embedded as "title. text"), its exact vector search and its fusion.
So the figures describe the ranking the site serves (on SQLite, the default database).
"""

import csv
import hashlib
import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dailypapers.lib.searchquery import fts5_match, parse_query
from dailypapers.search import keyword, service
from dailypapers.search.embedding import paper_text
from dailypapers.search.vectors import ExactIndex

NDCG_AT = 10
RECALL_AT = 100


class CollectionError(Exception):
    pass


@dataclass
class Collection:
    name: str
    docs: dict  # id -> (title, text, authors)
    queries: dict  # id -> text
    qrels: dict  # query id -> {doc id: grade}


def _jsonl(path):
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError as exc:
                        raise CollectionError(f"{path.name}:{number}: not JSON ({exc})") from None
    except FileNotFoundError:
        raise CollectionError(f"missing {path.name} in {path.parent}") from None


def load_collection(directory):
    directory = Path(directory)
    if not directory.is_dir():
        raise CollectionError(f"no such directory: {directory}")
    docs = {}
    for obj in _jsonl(directory / "corpus.jsonl"):
        authors = (obj.get("metadata") or {}).get("authors") or []
        if isinstance(authors, str):
            authors = [authors]
        docs[str(obj["_id"])] = (
            obj.get("title") or "",
            obj.get("text") or "",
            [str(a) for a in authors],
        )
    queries = {
        str(obj["_id"]): obj.get("text") or "" for obj in _jsonl(directory / "queries.jsonl")
    }
    qrels_path = directory / "qrels" / "test.tsv"
    if not qrels_path.is_file():
        raise CollectionError(f"missing qrels/test.tsv in {directory}")
    qrels = {}
    with open(qrels_path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 3 or row[0] == "query-id":
                continue
            try:
                grade = float(row[2])
            except ValueError:
                continue
            if grade > 0 and row[0] in queries:
                qrels.setdefault(row[0], {})[row[1]] = grade
    if not docs or not qrels:
        raise CollectionError(f"{directory}: empty corpus or no judged queries")
    return Collection(directory.name, docs, queries, qrels)


# --- Metrics --------------------------------------------------------------------------------


def ndcg(ranked, judged, k=NDCG_AT):
    dcg = sum(judged.get(d, 0.0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked, judged, k=RECALL_AT):
    return len(set(ranked[:k]) & set(judged)) / len(judged) if judged else 0.0


def summarise(runs, qrels):
    """{"ndcg@10": mean, "recall@100": mean} over the judged queries."""
    ids = sorted(qrels)
    return {
        f"ndcg@{NDCG_AT}": round(sum(ndcg(runs.get(q, []), qrels[q]) for q in ids) / len(ids), 4),
        f"recall@{RECALL_AT}": round(
            sum(recall(runs.get(q, []), qrels[q]) for q in ids) / len(ids), 4
        ),
    }


# --- Retrieval as the site does it ----------------------------------------------------------


class KeywordIndex:
    """The site's SQLite FTS5 index and query, over an in-memory copy of the corpus."""

    def __init__(self, docs):
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            f"CREATE VIRTUAL TABLE docs USING fts5(title, authors, abstract, tokenize='{keyword.TOKENIZER}')"
        )
        self.ids = list(docs)
        self.db.executemany(
            "INSERT INTO docs(rowid, title, authors, abstract) VALUES (?, ?, ?, ?)",
            ((i, t, json.dumps(a), x) for i, (t, x, a) in enumerate(docs.values(), start=1)),
        )

    def search(self, text, depth):
        match = fts5_match(parse_query(text))
        if not match:
            return []
        weights = ", ".join(str(float(w)) for w in keyword.BM25_WEIGHTS)
        rows = self.db.execute(
            f"SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, {weights}), rowid LIMIT ?",
            (match, depth),
        ).fetchall()
        return [self.ids[r - 1] for (r,) in rows]


def document_text(title, text):
    """A document as the site embeds a paper (title, then abstract)."""
    return paper_text(title, text) if title else paper_text(text, "")


def embed_corpus(embedder, docs, cache_dir=None, progress=None):
    """(n, dim) float32 vectors of the documents, cached on disk by content and model."""
    texts = [document_text(t, x) for t, x, _ in docs.values()]
    digest = hashlib.blake2b(digest_size=12)
    digest.update(embedder.name.encode())
    for text in texts:
        digest.update(text.encode("utf-8", "replace") + b"\0")
    cache = Path(cache_dir) / f"eval-{digest.hexdigest()}.npy" if cache_dir else None
    if cache is not None and cache.is_file():
        vectors = np.load(cache)
        if vectors.shape[0] == len(texts):
            return vectors
    chunks = []
    step = 256
    for start in range(0, len(texts), step):
        chunks.append(embedder.embed_documents(texts[start : start + step]))
        if progress:
            progress(min(step, len(texts) - start))
    vectors = np.concatenate(chunks) if chunks else np.zeros((0, 0), np.float32)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(cache)
    return vectors


def evaluate(collection, embedder=None, *, cache_dir=None, progress=None, depth=None):
    """{"keyword": {...}, "semantic": {...} or None, "hybrid": {...} or None}. Each list is
    as deep as the site's hybrid search takes it (service.DEPTH)."""
    depth = depth or service.DEPTH
    keyword_index = KeywordIndex(collection.docs)
    queries = {q: collection.queries[q] for q in collection.qrels}
    lexical = {q: keyword_index.search(text, depth) for q, text in queries.items()}
    report = {"keyword": summarise(lexical, collection.qrels), "semantic": None, "hybrid": None}
    if embedder is None:
        return report
    vectors = embed_corpus(embedder, collection.docs, cache_dir, progress)
    exact = ExactIndex(vectors.shape[1])
    exact.add(np.arange(len(vectors)), vectors)
    ids = list(collection.docs)
    semantic = {}
    for q, text in queries.items():
        found = exact.search(embedder.embed_query(" ".join(text.split())), depth)
        semantic[q] = [ids[i] for i, _ in found]
    hybrid = {
        q: [
            d
            for d, _ in service.rrf(
                [lexical[q], semantic[q]], [service.KEYWORD_WEIGHT, service.SEMANTIC_WEIGHT]
            )
        ]
        for q in queries
    }
    report["semantic"] = summarise(semantic, collection.qrels)
    report["hybrid"] = summarise(hybrid, collection.qrels)
    return report
