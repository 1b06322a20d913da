"""The one settings module. Works with zero configuration (SQLite in ./data, DEBUG off
unless asked for) and reads everything else from the environment through strict helpers.

Environment:
    DEBUG            "1"/"true" for development. Off by default.
    SECRET_KEY       required in production (ALLOWED_HOSTS set, or a SITE_URL that is not
                     this machine): start-up refuses without it. Elsewhere a key generated
                     once is kept in DATA_DIR/secret_key; `serve` always needs SECRET_KEY.
    DATABASE_URL     default sqlite:///<DATA_DIR>/dailypapers.sqlite3 (WAL mode)
    DATA_DIR         where the default SQLite file lives (default ./data)
    ALLOWED_HOSTS    comma-separated (default: localhost names in DEBUG, none otherwise)
    SITE_URL         the public base URL, used in absolute links (default http://127.0.0.1:8000)
    SITE_NAME        the site's name in account emails (default dailypapers)
    FEED_TIME_ZONE   the IANA time zone that defines a feed day (default UTC)
    TRENDING_HALF_LIFE_HOURS, TRENDING_WINDOW_DAYS   see dailypapers/lib/trending.py
"""

import os
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dailypapers.lib.env import env_bool, env_float, env_int, env_list, env_str
from dailypapers.lib.localkey import local_secret_key

BASE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("DEBUG", False)

DATA_DIR = Path(env_str("DATA_DIR", str(Path.cwd() / "data"))).resolve()

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The site's name in account emails ("Hello from dailypapers!") and their subjects.
SITE_NAME = env_str("SITE_NAME", "dailypapers")

# A production configuration names its public address (ALLOWED_HOSTS, or a SITE_URL that is
# not this machine): there, a missing SECRET_KEY stops start-up. A local checkout (the
# defaults `make run` uses) gets a key generated once and kept in DATA_DIR, so that the
# development server and the `dailypapers` commands typed beside it share one key;
# `dailypapers serve` refuses to run on that key (SECRET_KEY_IS_LOCAL).
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
PRODUCTION_CONFIGURATION = not DEBUG and (
    "ALLOWED_HOSTS" in os.environ or (urlsplit(SITE_URL).hostname or "") not in _LOCAL_HOSTS
)
SECRET_KEY = env_str("SECRET_KEY", "")
SECRET_KEY_IS_LOCAL = not SECRET_KEY
if not SECRET_KEY:
    if PRODUCTION_CONFIGURATION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "A production configuration (ALLOWED_HOSTS set, or a SITE_URL that is not "
            "this machine) never uses a generated key."
        )
    try:
        SECRET_KEY = local_secret_key(DATA_DIR)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"SECRET_KEY is not set and no local key could be kept in DATA_DIR ({exc}). "
            "Set SECRET_KEY to a long random string, or DATA_DIR to a writable directory."
        ) from None

_default_hosts = ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _default_hosts)

# Behind a reverse proxy (nginx, Caddy, a load balancer) that sets X-Forwarded-Proto and
# appends the client's address to X-Forwarded-For. Exactly one hop is trusted: the last
# X-Forwarded-For entry, the one the proxy itself appended (dailypapers/core/ratelimits.py
# client_ip); rate limits count that address instead of the proxy's.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)

INSTALLED_APPS = [
    # Django's admin with our AdminSite: only staff who hold their powers now (not
    # suspended) log in and act there (accounts/admin_site.py).
    "dailypapers.accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dailypapers.core",
    "dailypapers.papers",
    "dailypapers.ingest",
    "dailypapers.api",
    # django-ninja as an app only so that /api/docs uses its bundled Swagger UI files
    # (static/ninja/) instead of loading them from a CDN.
    "ninja",
    "dailypapers.feeds",
    "dailypapers.search",
    # Accounts through django-allauth (account flows only) on Django's own User model.
    # Ours first: its templates/allauth/ and templates/account/ override allauth's.
    "dailypapers.accounts",
    "allauth",
    "allauth.account",
    # The community: upvotes and submissions; comments and reports; collections.
    "dailypapers.community",
    "dailypapers.discussion",
    "dailypapers.collections",
    "dailypapers.digests",
    # For you: each reader's ranking of new papers (the ranking core and its evaluation).
    "dailypapers.foryou",
    # A person's pages (profile, account page), gathering from the apps above.
    "dailypapers.people",
    # The commands that run the site (serve, worker, load-demo), above every other app.
    "dailypapers.processes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 before anything reads it.
    "dailypapers.core.security.RefuseLargeBodyMiddleware",
    # A NUL in the path or query string: 404 / 400 before anything looks it up.
    "dailypapers.core.security.RefuseNulMiddleware",
    # CORS for the public API (/api/…, /papers/<id>.md); see dailypapers/api/http.py.
    "dailypapers.api.http.CorsMiddleware",
    "dailypapers.api.http.JsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "dailypapers.core.security.PermissionsPolicyMiddleware",
    # A rate-limited request answers 429 with a clear message (dailypapers/core/ratelimits.py).
    "dailypapers.core.ratelimits.RateLimitMiddleware",
    # A refusal a view lets through (accounts.rules.Refused): its message and status.
    "dailypapers.accounts.middleware.RefusedMiddleware",
]

ROOT_URLCONF = "dailypapers.urls"
WSGI_APPLICATION = "dailypapers.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dailypapers.core.context_processors.site",
                "dailypapers.accounts.context_processors.accounts",
                "dailypapers.digests.context_processors.digests",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
_default_db_url = f"sqlite:///{DATA_DIR / 'dailypapers.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db_url)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else 600
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers (the web server) work while an importer writes; IMMEDIATE
        # transactions take the write lock up front so concurrent writers wait
        # (busy_timeout) instead of failing half-way with "database is locked".
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Test databases are created in memory by default; keep that.
    DATABASES["default"]["TEST"] = {"NAME": None}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameter binding lets psycopg prepare the statements a connection runs
    # repeatedly (after 5 runs): planning the feed pages' summary query cost 2–3 ms,
    # executing it 0.3 ms. Behind a connection pooler that cannot keep prepared
    # statements (PgBouncer before 1.21 in transaction mode), set DATABASE_PREPARE=0.
    if env_bool("DATABASE_PREPARE", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Time -----------------------------------------------------------------------------------
# A feed day is a calendar day in this time zone (dailypapers/papers/models.py FeedEntry.day).
FEED_TIME_ZONE = env_str("FEED_TIME_ZONE", "UTC")
try:
    ZoneInfo(FEED_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(
        f"FEED_TIME_ZONE={FEED_TIME_ZONE!r} is not a known time zone"
    ) from exc
TIME_ZONE = FEED_TIME_ZONE
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False

# --- Trending (the formula is published on /papers/trending) --------------------------------
TRENDING_HALF_LIFE_HOURS = env_float("TRENDING_HALF_LIFE_HOURS", 48.0)
TRENDING_WINDOW_DAYS = env_int("TRENDING_WINDOW_DAYS", 14)

# --- arXiv (dailypapers/ingest) ----------------------------------------------------------
# Base URLs, so tests and mirrors can point elsewhere. arXiv asks harvesters for at most
# one request every 3 seconds.
ARXIV_API_URL = env_str("ARXIV_API_URL", "https://export.arxiv.org/api/query")
ARXIV_OAI_URL = env_str("ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai")
ARXIV_REQUEST_INTERVAL = env_float("ARXIV_REQUEST_INTERVAL", 3.0)
# OAI-PMH sets to harvest (comma-separated), e.g. "cs,stat"; see `dailypapers harvest`.
ARXIV_HARVEST_SETS = env_list("ARXIV_HARVEST_SETS", ["cs"])
# Hours between harvests in `dailypapers worker` (arXiv updates OAI-PMH once a day).
HARVEST_INTERVAL_HOURS = env_float("HARVEST_INTERVAL_HOURS", 24.0)

# --- Search (dailypapers/search) ----------------------------------------------------------
# Semantic search embeds papers with a local ONNX model: by default bge-small-en-v1.5 as
# bundled in the `compartment` package; EMBEDDING_MODEL_DIR points at another directory
# holding tokenizer.json and a .onnx file. SEMANTIC_SEARCH=0 turns it off (keyword only).
SEMANTIC_SEARCH = env_bool("SEMANTIC_SEARCH", True)
EMBEDDING_MODEL_DIR = env_str("EMBEDDING_MODEL_DIR", "")
# Stored with each vector; defaults to the model directory's name.
EMBEDDING_MODEL_NAME = env_str("EMBEDDING_MODEL_NAME", "")
# bge models retrieve better with this instruction before short queries (README).
EMBEDDING_QUERY_PREFIX = env_str(
    "EMBEDDING_QUERY_PREFIX", "Represent this sentence for searching relevant passages: "
)
# Embed new papers right after `import`, `fetch` and `harvest` (else: `dailypapers embed`).
EMBED_ON_IMPORT = env_bool("EMBED_ON_IMPORT", True)
# From this many vectors on, search uses the HNSW index built by `dailypapers search-index`.
VECTOR_ANN_THRESHOLD = env_int("VECTOR_ANN_THRESHOLD", 50_000)
VECTOR_INDEX_DIR = Path(env_str("VECTOR_INDEX_DIR", str(DATA_DIR / "index")))
# HNSW search breadth (usearch expansion_search): higher finds more of the true nearest
# papers, slower. 0: the built-in default (512).
VECTOR_ANN_EF = env_int("VECTOR_ANN_EF", 0)

# --- Accounts (dailypapers/accounts) ----------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Verifies (and upgrades on log-in) hashes made before Argon2 was the default.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Names the site in account emails by SITE_NAME (accounts/adapter.py).
ACCOUNT_ADAPTER = "dailypapers.accounts.adapter.AccountAdapter"
# Confirming one's address right after signing up logs one in (in the same browser).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# allauth's own limits on the account flows ("5/m/ip": five a minute per address);
# a limited request answers 429.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": env_str("RATE_LIMIT_SIGNUP", "20/h/ip"),
    "reset_password": env_str("RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key"),
    "confirm_email": "1/3m/key",
}
# allauth counts per address too: behind the proxy, the last X-Forwarded-For entry.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_PROXY else 0

# --- Email ----------------------------------------------------------------------------------
# Django's standard settings from the environment. Without EMAIL_HOST, mail is printed on
# the console outside a production configuration (DEBUG, or a local checkout: nothing is
# sent), and sent to localhost:25 in production.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "dailypapers <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if not PRODUCTION_CONFIGURATION and "EMAIL_HOST" not in os.environ
    else "django.core.mail.backends.smtp.EmailBackend",
)

# --- Community (dailypapers/community, discussion, collections) ----------------------------
# A paper can be submitted to the feed while at most this many days old (staff: any age).
SUBMIT_MAX_AGE_DAYS = env_int("SUBMIT_MAX_AGE_DAYS", 14)
# Submissions per user per feed day (staff: no cap).
SUBMIT_DAILY_LIMIT = env_int("SUBMIT_DAILY_LIMIT", 5)
# Seconds a submission may wait, in all, for arXiv's API when the paper is not in the
# catalogue; well below the web server's worker timeout (30 s), so a slow arXiv gives a
# clear "try again" instead of a killed worker.
SUBMIT_ARXIV_WAIT = env_float("SUBMIT_ARXIV_WAIT", 5.0)
# django-ratelimit rates ("30/m": thirty a minute) per user, or per address when logged out.
RATE_LIMIT_VOTE = env_str("RATE_LIMIT_VOTE", "60/m")
RATE_LIMIT_SUBMIT = env_str("RATE_LIMIT_SUBMIT", "10/h")
RATE_LIMIT_COMMENT = env_str("RATE_LIMIT_COMMENT", "10/m")
RATE_LIMIT_REPORT = env_str("RATE_LIMIT_REPORT", "20/h")
# Rate limits are counted in the shared cache (CACHES below); RATELIMIT_ENABLE=0 switches
# them off.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "default"
# The address behind the "ip" key (the digest subscriptions' limit), as for ours.
RATELIMIT_IP_META_KEY = "dailypapers.core.ratelimits.client_ip"
# django-ratelimit only knows Django's own backends as atomic; ours is
# (dailypapers/core/cache.py).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The feeds' XSL stylesheet (dailypapers/feeds): browsers apply it only when it is served
# as XSL, and WhiteNoise knows no type for .xsl (it would send application/octet-stream).
WHITENOISE_MIMETYPES = {".xsl": "text/xsl"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Caching --------------------------------------------------------------------------------
# "default" is shared by every server process: rate limits (ours and allauth's) count
# there, so that a limit holds however many workers `dailypapers serve` runs. It is the
# database's dailypapers_cache table (created by `migrate`; an atomic add/incr in
# dailypapers/core/cache.py), or Redis with CACHE_URL=redis://host:6379/0 (needs the
# `redis` package: pip install 'dailypapers[redis]').
# "pages" is per-process memory: page fragments keyed by a fingerprint of the rows they
# show (dailypapers/core/pagecache.py), so a change is visible on the next load without
# any invalidation step, in every process.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r} is not a redis:// address")
    _shared_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
    }
else:
    _shared_cache = {
        "BACKEND": "dailypapers.core.cache.AtomicDatabaseCache",
        "LOCATION": "dailypapers_cache",
        # Culling deletes live keys once the table is over this size: keep it far above
        # the counters a busy hour creates (one per address and limit).
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    }
CACHES = {
    "default": _shared_cache,
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}

# --- Security -------------------------------------------------------------------------------
# Content-Security-Policy: scripts, styles and images from this site only; no framing.
# (The API docs page uses ninja's bundled Swagger UI, also served from this site.)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Request sizes. Gunicorn refuses a request line or a header field over 8 KB and more
# than 100 header fields (dailypapers/processes/management/commands/serve.py); a body over
# this many bytes answers 413 (dailypapers/core/security.py). The largest real bodies,
# a comment or a collection's description, are a few KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser features the site never uses, turned off (dailypapers/core/security.py).
PERMISSIONS_POLICY = [
    "accelerometer",
    "camera",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
    "browsing-topics",
]
if not DEBUG:
    _https = SITE_URL.startswith("https://")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _https)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _https)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", [SITE_URL] if SITE_URL.startswith("http") else []
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Digests (dailypapers/digests) ---------------------------------------------------------
# Email digests: double opt-in subscriptions, an outbox sent over SMTP (the "Email"
# settings above) by `dailypapers digest send` or the worker.
# A confirmation link works for this many days; an address is sent a confirmation or
# manage link at most every DIGEST_CONFIRM_RESEND_MINUTES.
DIGEST_CONFIRM_MAX_AGE_DAYS = env_int("DIGEST_CONFIRM_MAX_AGE_DAYS", 3)
DIGEST_CONFIRM_RESEND_MINUTES = env_int("DIGEST_CONFIRM_RESEND_MINUTES", 10)
# A manage link (preferences, subscribing again) works for this many days; unsubscribe
# links work for ever (dailypapers/digests/tokens.py).
DIGEST_MANAGE_MAX_AGE_DAYS = env_int("DIGEST_MANAGE_MAX_AGE_DAYS", 7)
DIGEST_MAX_PAPERS_DEFAULT = env_int("DIGEST_MAX_PAPERS_DEFAULT", 10)
DIGEST_MAX_PAPERS_LIMIT = env_int("DIGEST_MAX_PAPERS_LIMIT", 30)
# The worker queues the day's digests from this hour on (FEED_TIME_ZONE), every
# DIGEST_WORKER_INTERVAL_MINUTES sends what is due (new digests and retries).
DIGEST_SEND_HOUR = env_int("DIGEST_SEND_HOUR", 7)
DIGEST_WORKER_INTERVAL_MINUTES = env_float("DIGEST_WORKER_INTERVAL_MINUTES", 5.0)
# Rows a sender claims at a time, and how long its claim holds: a sender that died is
# taken over once its claim is this old.
DIGEST_SEND_BATCH = env_int("DIGEST_SEND_BATCH", 100)
DIGEST_SEND_LEASE_SECONDS = env_int("DIGEST_SEND_LEASE_SECONDS", 600)
# Temporary failures (4xx, connection problems) are retried after base × 2^(n−1) seconds,
# up to DIGEST_MAX_ATTEMPTS attempts; an address refused permanently (5xx) this many times
# in a row receives nothing more.
DIGEST_RETRY_BASE_SECONDS = env_int("DIGEST_RETRY_BASE_SECONDS", 60)
DIGEST_MAX_ATTEMPTS = env_int("DIGEST_MAX_ATTEMPTS", 8)
DIGEST_MAX_HARD_BOUNCES = env_int("DIGEST_MAX_HARD_BOUNCES", 3)
# The mailto: in List-Unsubscribe (default unsubscribe@ the DEFAULT_FROM_EMAIL domain).
DIGEST_UNSUBSCRIBE_MAILTO = env_str("DIGEST_UNSUBSCRIBE_MAILTO", "")
# Subscription requests (each may send a confirmation email) per client IP address.
RATE_LIMIT_SUBSCRIBE = env_str("RATE_LIMIT_SUBSCRIBE", "10/h")
