from django.core.management import call_command


def run_worker():
    """One pass of ``manage.py db_worker``: run every task that is due now, then stop."""
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
