"""Rebuild dailypapers/demo/embeddings.npz: the demo papers' vectors, so that `make run`
has semantic search at once instead of embedding 440 papers first (a few minutes).

    DEBUG=1 DATA_DIR=$(mktemp -d) python scripts/make_demo_embeddings.py

Loads the demo data into a fresh database in DATA_DIR, embeds it with the configured
model and writes arxiv ids, text hashes, the model name and float16 vectors. `load-demo`
uses a vector only where the model and the text hash still match.
"""

import os
from pathlib import Path

import django
import numpy as np

OUT = Path(__file__).resolve().parents[1] / "dailypapers" / "demo" / "embeddings.npz"


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    os.environ["EMBED_ON_IMPORT"] = "0"
    django.setup()
    from django.core.management import call_command

    from dailypapers.search.indexing import embed_pending
    from dailypapers.search.models import PaperEmbedding

    call_command("migrate", verbosity=0)
    call_command("load-demo")
    embed_pending(progress=True)
    rows = list(
        PaperEmbedding.objects.order_by("paper__arxiv_id").values_list(
            "paper__arxiv_id", "model", "text_hash", "vector"
        )
    )
    models = {model for _, model, _, _ in rows}
    assert len(models) == 1, models
    np.savez_compressed(
        OUT,
        model=np.array(models.pop()),
        arxiv_ids=np.array([r[0] for r in rows]),
        text_hashes=np.array([r[2] for r in rows]),
        vectors=np.stack([PaperEmbedding.unpack(r[3]) for r in rows]),
    )
    print(f"{OUT}: {len(rows)} vectors")


if __name__ == "__main__":
    main()
