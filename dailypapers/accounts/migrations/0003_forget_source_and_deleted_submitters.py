"""Clear the submitter names no local account stands behind: Hugging Face usernames kept
by earlier imports (importers now drop them) and names left on entries whose account was
deleted (deletion now clears them). Only local submissions keep a name."""

from django.db import migrations
from django.utils import timezone


def forget(apps, schema_editor):
    FeedEntry = apps.get_model("papers", "FeedEntry")
    FeedEntry.objects.filter(submitted_by__isnull=True).exclude(submitter_name="").update(
        # updated_at moves: the API's ETags and caches are keyed on it.
        submitter_name="",
        updated_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_apitoken_options"),
        ("papers", "0003_feedentry_imported_counts"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop, elidable=True)]
