import threading

from django.db import connection


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
