"""Clear the submitter names no local account stands behind: Hugging Face usernames kept
by earlier imports (importers now drop them) and names left on entries whose account was
deleted (deletion now clears them). Only local submissions keep a name."""

from django.db import migrations


def forget(apps, schema_editor):
    FeedEntry = apps.get_model("papers", "FeedEntry")
    FeedEntry.objects.filter(submitted_by__isnull=True).exclude(submitter_name="").update(submitter_name="")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_apitoken_options"),
        ("papers", "0003_feedentry_imported_counts"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop, elidable=True)]
