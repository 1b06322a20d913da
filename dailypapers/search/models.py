"""Stored embeddings: the source of truth for the vector index (dailypapers/search/vectors.py)."""

import numpy as np
from django.db import models

from dailypapers.papers.models import Paper

# Vectors are stored as little-endian float16: half the space of float32, and the
# rounding (about 1e-3 per component) moves cosine similarities by less than 1e-3.
VECTOR_DTYPE = np.dtype("<f2")


class PaperEmbedding(models.Model):
    """The embedding of one paper's title and abstract by one model.

    Re-embedding (new text, another model) replaces the row with a new one, so row ids only
    grow: a vector index that has read every row up to some id is brought up to date by
    reading the rows after it.
    """

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="embedding")
    model = models.CharField(max_length=200)
    # Hash of the embedded text (dailypapers/search/embedding.py text_hash): a paper whose
    # title or abstract changed no longer matches and is embedded again.
    text_hash = models.CharField(max_length=32)
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["model", "id"], name="embedding_model_id_idx")]

    def __str__(self):
        return f"{self.paper_id} ({self.model})"

    @staticmethod
    def pack(vector):
        return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()

    @staticmethod
    def unpack(data, dim=None):
        vector = np.frombuffer(bytes(data), dtype=VECTOR_DTYPE)
        return vector if dim is None else vector.reshape(-1, dim)
