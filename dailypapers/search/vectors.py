"""The vector index: nearest papers to a vector, served from memory, fed by the database.

Embeddings live in the database (PaperEmbedding, the source of truth). Each process keeps
an index of them and brings it up to date before each search by reading the rows it has
not seen (row ids only grow; one indexed `max(id)` query when nothing changed):

- small catalogues (below VECTOR_ANN_THRESHOLD vectors, 50,000 by default): exact search, one matrix
  product over every vector in NumPy;
- large ones: an HNSW index (usearch, float16) built by `dailypapers search-index` into
  DATA_DIR/index and memory-mapped read-only by every web process, so they share one copy;
  vectors added after the file was built are searched exactly beside it until the next
  build. Without a built file a large catalogue is still searched exactly (slower).
"""

import json
import logging
import os
import threading
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from dailypapers.search.models import VECTOR_DTYPE, PaperEmbedding

log = logging.getLogger(__name__)

# HNSW settings, measured at 1,000,000 vectors (bench/vector_scale.py, bench/search.py,
# README "Performance"). float16 vectors: int8 stopped near 0.97 already at 200,000.
# Search breadth 512: real queries (a few typed words) lie farther from the papers than
# a paper's neighbours do, and at breadth 128 found 0.94 of the exact top 10 at 1M
# (synthetic near-duplicate queries: 0.994); 256 gave 0.964, 512 gives 0.979 at ~4 ms.
# It can be changed without a rebuild (VECTOR_ANN_EF).
ANN_DTYPE = "f16"
ANN_CONNECTIVITY = 32
ANN_EXPANSION_ADD = 64
ANN_EXPANSION_SEARCH = 512
# A filtered search over at most this many papers compares the query with each of them.
EXACT_FILTER_LIMIT = 50_000
# Rows read from the database per query while loading vectors.
LOAD_CHUNK = 20_000


class ExactIndex:
    """Every vector in one float32 matrix; search is a matrix-vector product."""

    def __init__(self, dim):
        self.dim = dim
        self.matrix = np.empty((1024, dim), dtype=np.float32)
        self.keys = np.empty(1024, dtype=np.int64)
        self.size = 0
        self.rows = {}  # key -> row

    def __len__(self):
        return self.size

    def add(self, keys, vectors):
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        for key, vector in zip(np.asarray(keys, dtype=np.int64).tolist(), vectors):
            row = self.rows.get(key)
            if row is None:
                if self.size == len(self.keys):
                    grow = max(1024, self.size)
                    self.matrix = np.concatenate(
                        [self.matrix, np.empty((grow, self.dim), np.float32)]
                    )
                    self.keys = np.concatenate([self.keys, np.empty(grow, np.int64)])
                row = self.size
                self.size += 1
                self.rows[key] = row
                self.keys[row] = key
            self.matrix[row] = vector

    def search(self, query, k, allowed=None):
        """[(key, cosine)] of the k nearest, best first; `allowed`: a sorted int64 array
        of the only keys that may be returned."""
        if self.size == 0 or k <= 0:
            return []
        scores = self.matrix[: self.size] @ np.asarray(query, dtype=np.float32)
        keys = self.keys[: self.size]
        if allowed is not None:
            keep = np.isin(keys, allowed, assume_unique=False)
            scores = np.where(keep, scores, -np.inf)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(keys[i]), float(scores[i])) for i in top if scores[i] != -np.inf]

    def vector(self, key):
        row = self.rows.get(key)
        return None if row is None else self.matrix[row]


def index_dir():
    return Path(getattr(settings, "VECTOR_INDEX_DIR", settings.DATA_DIR / "index"))


def _index_paths(model):
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model)
    return index_dir() / f"{safe}.usearch", index_dir() / f"{safe}.json"


def _rows_after(model, after, until=None):
    """Yield (ids, paper ids, vectors) chunks of `model`'s embeddings with id > after."""
    table = PaperEmbedding._meta.db_table
    while True:
        sql = f"SELECT id, paper_id, vector FROM {table} WHERE model = %s AND id > %s"
        params = [model, after]
        if until is not None:
            sql += " AND id <= %s"
            params.append(until)
        sql += " ORDER BY id LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, params + [LOAD_CHUNK])
            rows = cursor.fetchall()
        if not rows:
            return
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        keys = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(bytes(r[2]) for r in rows), dtype=VECTOR_DTYPE)
        vectors = vectors.reshape(len(rows), -1).astype(np.float32)
        yield ids, keys, vectors
        after = int(ids[-1])
        if len(rows) < LOAD_CHUNK:
            return


def latest_row(model):
    """(highest row id, number of rows) of `model`'s embeddings."""
    table = PaperEmbedding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id), count(*) FROM {table} WHERE model = %s", [model])
        latest, count = cursor.fetchone()
    return latest or 0, count


def _latest_id(model):
    # The (model, id) index answers this without touching the rows.
    table = PaperEmbedding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {table} WHERE model = %s", [model])
        return cursor.fetchone()[0] or 0


class VectorStore:
    """One model's vectors in this process: the built HNSW file (if any) plus an exact
    index of everything newer."""

    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()
        self.exact = None
        self.watermark = 0  # highest embedding row id in self.exact or the ANN file
        self.ann = None
        self.ann_meta = None
        self.ann_stamp = None

    def refresh(self):
        with self.lock:
            self._refresh_ann()
            latest = _latest_id(self.model)
            if latest > self.watermark:
                for _, keys, vectors in _rows_after(self.model, self.watermark):
                    if self.exact is None:
                        self.exact = ExactIndex(vectors.shape[1])
                    self.exact.add(keys, vectors)
                self.watermark = latest

    def _refresh_ann(self):
        path, meta_path = _index_paths(self.model)
        try:
            stamp = (meta_path.stat().st_mtime_ns, path.stat().st_mtime_ns)
        except OSError:
            stamp = None
        if stamp == self.ann_stamp:
            return
        self.ann_stamp = stamp
        self.ann = self.ann_meta = None
        self.exact = None
        self.watermark = 0
        if stamp is None:
            return
        try:
            Index = _usearch_index()
            meta = json.loads(meta_path.read_text())
            self.ann = Index.restore(str(path), view=True)
            _read_ahead(path)
            self.ann.expansion_search = int(
                getattr(settings, "VECTOR_ANN_EF", 0) or ANN_EXPANSION_SEARCH
            )
            self.ann_meta = meta
            self.watermark = int(meta["watermark"])
        except Exception as exc:  # a damaged or foreign file: search exactly instead
            log.warning("Ignoring the vector index %s: %s", path, exc)
            self.ann = self.ann_meta = None

    def __len__(self):
        return (len(self.ann) if self.ann is not None else 0) + (
            len(self.exact) if self.exact else 0
        )

    def vectors(self, keys):
        """{key: float32 vector} of those of `keys` this store holds (the newer exact
        rows win over the built file's), after bringing it up to date."""
        self.refresh()
        found = {}
        if self.exact is not None:
            for key in keys:
                vector = self.exact.vector(key)
                if vector is not None:
                    found[key] = vector
        if self.ann is not None:
            rest = np.array([k for k in keys if k not in found and k in self.ann], dtype=np.uint64)
            if len(rest):
                matrix = np.asarray(self.ann.get(rest), dtype=np.float32).reshape(len(rest), -1)
                found.update(zip(rest.tolist(), matrix))
        return found

    def search(self, query, k, allowed=None):
        """[(paper id, cosine)] best first."""
        self.refresh()
        results = {}
        newer = self.exact
        if newer is not None:
            for key, score in newer.search(query, k, allowed):
                results[key] = score
        if self.ann is not None and allowed is not None and len(allowed) <= EXACT_FILTER_LIMIT:
            # A filter that leaves few papers: compare with each of their vectors (read
            # from the index) rather than hoping they are among its nearest answers.
            keys = np.array(
                [
                    key
                    for key in allowed.tolist()
                    if key in self.ann and not (newer and key in newer.rows)
                ]
            )
            if len(keys):
                matrix = np.asarray(self.ann.get(keys), dtype=np.float32).reshape(len(keys), -1)
                matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
                scores = matrix @ np.asarray(query, dtype=np.float32)
                top = np.argsort(-scores)[:k]
                for i in top.tolist():
                    results.setdefault(int(keys[i]), float(scores[i]))
        elif self.ann is not None:
            # Over-fetch when filtering: the filter is applied to the ANN's answers.
            fetch = k if allowed is None else min(max(k * 10, 1000), len(self.ann))
            found = self.ann.search(np.asarray(query, dtype=np.float32), fetch)
            for key, distance in zip(found.keys.tolist(), found.distances.tolist()):
                if newer is not None and key in newer.rows:
                    continue  # re-embedded since the file was built: the newer vector wins
                if allowed is not None and not _contains(allowed, key):
                    continue
                results.setdefault(int(key), 1.0 - float(distance))
        return sorted(results.items(), key=lambda kv: -kv[1])[:k]


def _read_ahead(path):
    """Read the memory-mapped index file once, on a background thread, so that it is in
    the page cache: from a cold cache, a new process's first searches otherwise wait on
    the disk page by page (0.65 s for the first one at 1M vectors, against 14 ms warm).
    posix_fadvise(WILLNEED) alone reads only the first 8 MB. Costs a sequential read of
    the file (about 1 GB at 1M vectors) per process start, mostly from the cache."""

    def read():
        try:
            with open(path, "rb", buffering=0) as handle:
                buffer = bytearray(4 << 20)
                while handle.readinto(buffer):
                    pass
        except OSError:  # the file was replaced meanwhile: the next refresh reads the new one
            pass

    threading.Thread(target=read, name="vector-index-read-ahead", daemon=True).start()


def _usearch_index():
    """usearch's Index class. onnxruntime must be loaded before usearch's extension:
    the other way round, starting the model crashes the process (both carry C++ runtime
    symbols of their own)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        pass
    from usearch.index import Index

    return Index


def _contains(sorted_keys, key):
    i = np.searchsorted(sorted_keys, key)
    return i < len(sorted_keys) and sorted_keys[i] == key


_stores = {}
_stores_lock = threading.Lock()


def store_for(model):
    with _stores_lock:
        store = _stores.get(model)
        if store is None:
            store = _stores[model] = VectorStore(model)
        return store


def reset():
    """Drop every process-level index (tests that rewrite the database between runs)."""
    with _stores_lock:
        _stores.clear()


# --- Building the persisted HNSW index (the `search-index` command, the worker) ----------


def ann_threshold():
    return int(getattr(settings, "VECTOR_ANN_THRESHOLD", 50_000))


def build_ann(model, *, rebuild=False, progress=None, force=False):
    """Bring the HNSW file for `model` up to date with the database: add the rows after
    its watermark (or all, with rebuild) and replace the file atomically. Does nothing
    below the size threshold unless forced. Returns a summary dict."""
    Index = _usearch_index()
    latest, count = latest_row(model)
    path, meta_path = _index_paths(model)
    if count < ann_threshold() and not force:
        return {
            "built": False,
            "vectors": count,
            "reason": f"below VECTOR_ANN_THRESHOLD ({ann_threshold():,})",
        }
    started = time.monotonic()
    meta = None
    if not rebuild and path.exists() and meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
        except ValueError:
            meta = None
    index = None
    watermark = 0
    if meta is not None:
        index = Index.restore(str(path))
        watermark = int(meta["watermark"])
    if latest <= watermark and index is not None:
        return {"built": False, "vectors": len(index), "reason": "already up to date"}
    added = 0
    for _, keys, vectors in _rows_after(model, watermark, until=latest):
        if index is None:
            index = Index(
                ndim=vectors.shape[1],
                metric="cos",
                dtype=ANN_DTYPE,
                connectivity=ANN_CONNECTIVITY,
                expansion_add=ANN_EXPANSION_ADD,
                expansion_search=ANN_EXPANSION_SEARCH,
            )
        present = [k for k in keys.tolist() if k in index]
        for key in present:
            index.remove(key)
        index.add(keys, vectors, threads=0)
        added += len(keys)
        if progress is not None:
            progress(len(keys))
    if index is None:
        return {"built": False, "vectors": 0, "reason": "no vectors"}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".usearch.tmp")
    index.save(str(tmp))
    os.replace(tmp, path)
    meta = {
        "model": model,
        "watermark": latest,
        "vectors": len(index),
        "dtype": ANN_DTYPE,
        "connectivity": ANN_CONNECTIVITY,
        "expansion_search": ANN_EXPANSION_SEARCH,
    }
    tmp_meta = meta_path.with_suffix(".json.tmp")
    tmp_meta.write_text(json.dumps(meta))
    os.replace(tmp_meta, meta_path)
    return {
        "built": True,
        "vectors": len(index),
        "added": added,
        "seconds": time.monotonic() - started,
    }
