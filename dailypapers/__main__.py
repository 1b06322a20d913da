"""The `dailypapers` console command: Django's management commands under our own name.

    dailypapers migrate
    dailypapers import hf-daily PATH...
    dailypapers runserver          # development server
    dailypapers serve              # production server (gunicorn)

`dailypapers`, `dailypapers help` and `dailypapers --help` list our own commands first,
one line each, then Django's.
"""

import os
import sys

# One line per command of ours, in the order a new site meets them. A command missing here
# is still listed, with the first sentence of its help.
SUMMARIES = {
    "load-demo": "load the bundled demo days into an empty catalogue",
    "import": "import Hugging Face daily_papers JSON (feed days) or arXiv metadata JSONL",
    "fetch": "fetch papers by arXiv id or URL from arXiv's API",
    "harvest": "harvest new arXiv papers over OAI-PMH (daily, from cron)",
    "embed": "embed papers for semantic search (resumes; after imports)",
    "search-index": "build or update the HNSW vector index for large catalogues",
    "eval-search": "measure search quality on judged collections (BEIR layout)",
    "eval-foryou": "measure For you's ranking on simulated readers (offline)",
    "digest": "build and send the email digests (from cron)",
    "subscribers": "add or remove email digest subscribers",
    "token": "create, list or revoke API tokens",
    "worker": "run the harvest and the digests periodically until stopped",
    "serve": "serve the site in production (gunicorn; needs SECRET_KEY)",
}
HELP_WORDS = {"help", "--help", "-h"}


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "dailypapers"
    if len(argv) == 1 or (len(argv) == 2 and argv[1] in HELP_WORDS):
        sys.stdout.write(main_help())
        return
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from dailypapers.core.dbfailures import DATABASE_ERRORS, resume_hint, write_failure

    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        # A setting missing or malformed (settings.py names the variable): its message is
        # the whole story.
        sys.stderr.write(f"dailypapers: the settings are not usable: {exc}\n")
        sys.exit(1)
    except DATABASE_ERRORS as exc:
        # A read-only database or a full disk: a message, not a traceback
        # (core/dbfailures.py). Other database errors keep their traceback.

        reason = write_failure(exc)
        if reason is None:
            raise
        sys.stderr.write(f"dailypapers {argv[1]}: stopped: {reason}.\n{resume_hint()}\n")
        sys.exit(1)


def main_help():
    """Our commands with one line each, then Django's by app (as `django-admin help`)."""
    from django.core.exceptions import ImproperlyConfigured

    lines = [
        "Usage: dailypapers COMMAND [options]   (dailypapers help COMMAND for a command's options)",
        "",
        "dailypapers commands:",
    ]
    try:
        import django
        from django.core.management import get_commands, load_command_class

        django.setup()
        commands = get_commands()
    except ImproperlyConfigured as exc:
        # Settings refused to load (a production configuration without SECRET_KEY, a
        # malformed variable): still say what exists, and why nothing can run yet.
        lines += [f"  {name:<14} {summary}" for name, summary in SUMMARIES.items()]
        lines += ["", f"Note: the settings do not load: {exc}", ""]
        return "\n".join(lines)
    ours = sorted(
        (name for name, app in commands.items() if app.startswith("dailypapers")),
        key=lambda name: (
            list(SUMMARIES).index(name) if name in SUMMARIES else len(SUMMARIES),
            name,
        ),
    )
    for name in ours:
        summary = SUMMARIES.get(name) or _first_sentence(
            load_command_class(commands[name], name).help
        )
        lines.append(f"  {name:<14} {summary}")
    lines += ["", "Django's commands (migrate, createsuperuser, runserver, check, …):"]
    by_app = {}
    for name, app in commands.items():
        if not app.startswith("dailypapers"):
            by_app.setdefault(
                "django" if app == "django.core" else app.rpartition(".")[2], []
            ).append(name)
    for app in sorted(by_app):
        lines.append(f"  [{app}] " + ", ".join(sorted(by_app[app])))
    lines.append("")
    return "\n".join(lines)


def _first_sentence(text):
    text = " ".join((text or "").split())
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")


if __name__ == "__main__":
    main()
