from django.db import migrations


def install(apps, schema_editor):
    from dailypapers.discussion import counters

    counters.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from dailypapers.discussion import counters

    counters.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    """FeedEntry.num_comments kept by database triggers (discussion/counters.py), recounted once."""

    dependencies = [
        ("discussion", "0001_initial"),
        ("papers", "0003_feedentry_imported_counts"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
