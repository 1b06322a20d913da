import django.db.models.deletion
from django.db import migrations, models


def create_keyword_index(apps, schema_editor):
    from dailypapers.search import keyword

    keyword.ensure_index(schema_editor.connection)


def drop_keyword_index(apps, schema_editor):
    from dailypapers.search import keyword

    keyword.drop_index(schema_editor.connection)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("papers", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="PaperEmbedding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("model", models.CharField(max_length=200)),
                ("text_hash", models.CharField(max_length=32)),
                ("vector", models.BinaryField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "paper",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="embedding",
                        to="papers.paper",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["model", "id"], name="embedding_model_id_idx")],
            },
        ),
        # SQLite: FTS5 table and triggers; PostgreSQL: generated tsvector column + GIN.
        migrations.RunPython(create_keyword_index, drop_keyword_index),
    ]
