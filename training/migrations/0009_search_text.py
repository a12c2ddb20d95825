"""search_text on actions and trainees, for the organismes' Recherche rapide.

The search runs within one organisme: the B-tree indexes that start with
organisme_id (the foreign key's, the trainees' unique constraint) narrow it to
that organisme's rows at any size. The trigram indexes serve the searches
across every organisme (the Région's list of actions), on PostgreSQL only, as
accounts/0004 does for accounts and organismes.
"""

from django.db import migrations, models

from core.text import normalize_for_search

# What search_text is made of, in the model's order (training.models).
SEARCHED = {
    "ActionFormation": ("numero_bdc", "intitule"),
    "Stagiaire": ("nom", "prenom", "identifiant_france_travail"),
}

INDEXES = {
    "training_action_search_text_trgm": "training_actionformation",
    "training_stagiaire_search_text_trgm": "training_stagiaire",
}


def fill_search_text(apps, schema_editor):
    for model_name, fields in SEARCHED.items():
        model = apps.get_model("training", model_name)
        rows = []
        for record in model.objects.only("pk", *fields).iterator(chunk_size=2000):
            record.search_text = normalize_for_search(*(getattr(record, field) for field in fields))
            rows.append(record)
            if len(rows) == 2000:
                model.objects.bulk_update(rows, ["search_text"])
                rows = []
        model.objects.bulk_update(rows, ["search_text"])


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0008_demandes_factures"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionformation",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="stagiaire",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
