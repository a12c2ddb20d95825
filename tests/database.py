"""What is stored, read in plain SQL: the snapshots taken before and after a
request (about 1,300 tests take two, the access matrix one per POST) cost
more to build through the ORM than to run."""

from django.db import connection, models


def rows_of(model: type[models.Model]) -> list[tuple]:
    """Every row of `model`'s table, every column as stored, in primary-key order."""
    table, pk = (connection.ops.quote_name(name) for name in (model._meta.db_table, model._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608 (names from the model, quoted)
        return cursor.fetchall()


def count_of(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return cursor.fetchone()[0]
