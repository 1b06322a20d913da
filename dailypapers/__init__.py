"""dailypapers: a self-hostable, community-curated daily feed of research papers."""

__version__ = "0.1.0"

import os as _os

# NumPy's BLAS runs one thread per process unless told otherwise; set here, before NumPy
# loads. A web server has one process per core already, and OpenBLAS's threads then fight
# over the cores: measured with two gunicorn workers on two cores, /api/recommendations
# served 32 requests/s at 127 ms p50 with BLAS threads, 140 at 28 ms without
# (bench/foryou_pages.py).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    _os.environ.setdefault(_name, "1")
