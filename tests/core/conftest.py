import pytest

from .backends import MailServer


@pytest.fixture
def mail_server(settings):
    """The site's mail goes to a pretend server that the test can take down and bring back."""
    settings.EMAIL_BACKEND = "tests.core.backends.FlakyEmailBackend"
    MailServer.reset()
    yield MailServer
    MailServer.reset()


@pytest.fixture
def database_task_queue(settings):
    """The production task backend (django-tasks-db): tasks wait in the database for ``run_worker()``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
