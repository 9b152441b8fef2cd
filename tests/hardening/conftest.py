import pytest

from .backends import MailServer


@pytest.fixture
def mail_server(settings):
    """The site's mail goes to a pretend server that the test can take down and bring back."""
    settings.EMAIL_BACKEND = "tests.hardening.backends.FlakyEmailBackend"
    MailServer.reset()
    yield MailServer
    MailServer.reset()


@pytest.fixture
def database_task_queue(settings):
    """The production task backend (django-tasks-db): tasks wait in the database for ``run_worker()``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def pytest_terminal_summary(terminalreporter):
    """Print how many hostile inputs the fuzz tests sent, for the closing note."""
    from .fuzz import FUZZ_EXAMPLES, TRIED

    if TRIED:
        terminalreporter.write_sep("-", "fuzz inputs tried")
        for name, count in sorted(TRIED.items()):
            terminalreporter.write_line(f"{count:>7}  {name}")
        terminalreporter.write_line(
            f"{sum(TRIED.values()):>7}  in total over {len(TRIED)} properties (FUZZ_EXAMPLES={FUZZ_EXAMPLES} per test)"
        )
