from django.db import migrations


def install(apps, schema_editor):
    from dailypapers.community import counters

    counters.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from dailypapers.community import counters

    counters.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    """FeedEntry.upvotes kept by database triggers (community/counters.py), recounted once."""

    dependencies = [
        ("community", "0001_upvote"),
        ("papers", "0003_feedentry_imported_counts"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
