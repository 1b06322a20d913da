"""`dailypapers serve` — run the site the production way: gunicorn, static files from
whitenoise. Collects static files first (fast and idempotent).

    dailypapers serve --bind 0.0.0.0:8000 --workers 4

Needs SECRET_KEY (and ALLOWED_HOSTS) in the environment; run `dailypapers migrate` first.
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def _warm_search(worker):
    """Each new server process loads the search model and vectors on a thread of its own
    while it starts answering (dailypapers/search/service.py:warm)."""
    import threading

    from django.db import connections

    from dailypapers.search.service import warm

    def run():
        try:
            warm()
        finally:
            connections.close_all()  # this thread's own connection

    threading.Thread(target=run, name="warm-search", daemon=True).start()


class Command(BaseCommand):
    help = "Serve the site with gunicorn (production). Run 'dailypapers migrate' first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=os.environ.get("BIND", "127.0.0.1:8000"),
            help="address:port to listen on (default 127.0.0.1:8000, or $BIND)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_WORKERS", (os.cpu_count() or 1) * 2 + 1)),
            help="worker processes (default 2 × cores + 1, or $WEB_WORKERS)",
        )
        parser.add_argument("--threads", type=int, default=1, help="threads per worker (default 1)")
        parser.add_argument("--access-log", action="store_true", help="log every request to stderr")

    def handle(self, *args, bind, workers, threads, access_log, **options):
        if settings.SECRET_KEY_IS_LOCAL:
            # The key generated in DATA_DIR suits a checkout; a server on the network keeps
            # its key where its operator chose (a new DATA_DIR would otherwise log everyone
            # out and break the links in every email already sent).
            raise CommandError(
                "SECRET_KEY is not set: `dailypapers serve` is the production server and needs "
                "one (python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
                "For local development use `make run` or `dailypapers runserver`."
            )
        from gunicorn.app.base import BaseApplication

        # Before the application loads: whitenoise indexes the static files at start-up.
        call_command("collectstatic", interactive=False, verbosity=0)

        from dailypapers.wsgi import application

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", [bind])
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_tmp_dir", "/dev/shm" if os.path.isdir("/dev/shm") else None)
                # Gunicorn's own limits, at their largest (8190 is the most it allows
                # for a line): a longer request line or header field, or more than 100
                # header fields, is answered 400 before the application sees it. Without
                # them a multi-megabyte request line held a worker for seconds. A search
                # query is at most 250 characters (dailypapers/lib/searchquery.py), far
                # below. Bodies are bounded by Django (DATA_UPLOAD_MAX_MEMORY_SIZE).
                self.cfg.set("limit_request_line", 8190)
                self.cfg.set("limit_request_field_size", 8190)
                self.cfg.set("limit_request_fields", 100)
                if access_log:
                    self.cfg.set("accesslog", "-")
                self.cfg.set("post_worker_init", _warm_search)

            def load(self):
                return application

        self.stdout.write(f"Serving on http://{bind} with {workers} worker(s)")
        Server().run()
