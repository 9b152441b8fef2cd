"""Running one piece of work in many threads at the same moment, each on its own database connection."""

import threading

from django.db import connection


def run_together(work, count):
    """Run ``work(index)`` in ``count`` threads released by one barrier; return what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def worker(index):
        try:
            barrier.wait()
            outcomes[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes
