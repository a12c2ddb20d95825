import sqlite3
import threading
from contextlib import contextmanager

from django.db import connection, connections


def run_at_once(*tasks, timeout=60):
    """Run each task (a function of nothing) in its own thread and database
    connection, all released together; return what each returned or raised."""
    barrier = threading.Barrier(len(tasks))
    outcomes = [None] * len(tasks)

    def run(index, task):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = task()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@contextmanager
def database_shared_by_threads(folder):
    """On SQLite, the test database moved for a while to a file in `folder`, so
    that threads open connections of their own that lock as in production
    (the in-memory test database is shared-cache: its table locks fail at once
    instead of waiting); copied back afterwards for the test's assertions.
    PostgreSQL needs nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    path = folder / "shared-by-threads.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    params = connections.settings[connection.alias]
    in_memory_name = params["NAME"]
    params["NAME"] = str(path)
    try:
        yield
    finally:
        params["NAME"] = in_memory_name
        with sqlite3.connect(path) as copy:
            copy.backup(connection.connection)
