"""Trigram indexes for the Recherche rapide (region/search.py), on PostgreSQL.

The search looks for every word anywhere in `search_text` (LIKE '%word%'),
which a B-tree cannot serve: without these indexes each search reads every
organisme and every account. pg_trgm's GIN indexes serve such LIKEs. They are
PostgreSQL's own, so the operation does nothing on SQLite (development, tests).
"""

from django.db import migrations

INDEXES = {
    "accounts_user_search_text_trgm": "accounts_user",
    "organisations_organisme_search_text_trgm": "organisations_organisme",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
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
        ("accounts", "0003_user_deactivated_until"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
