"""Background tasks by name: services enqueue through this registry and never import a tasks module.

Each app's ``tasks.py`` registers its tasks with ``@registered("app.what")`` on top of django-tasks'
``@task``; CoreConfig.ready() imports every ``tasks.py`` at start-up, so the registry is full before
the first request. A tasks module imports the services it calls; the services only know the name.
That keeps every ``services → tasks → services`` pair from becoming an import loop.
"""

from collections.abc import Callable
from datetime import datetime

from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

_TASKS: dict[str, Task] = {}
_REPEATING: set[str] = set()


def registered(name: str) -> Callable[[Task], Task]:
    """Record a django-tasks ``Task`` under ``name`` (``"bookings.reminder_send"``)."""

    def record(task: Task) -> Task:
        existing = _TASKS.get(name)
        if existing is not None and existing.module_path != task.module_path:
            raise ValueError(f"Two tasks are registered as {name!r}: {existing.module_path} and {task.module_path}")
        _TASKS[name] = task
        return task

    return record


def task_named(name: str) -> Task:
    try:
        return _TASKS[name]
    except KeyError:
        raise LookupError(f"No task is registered as {name!r}; is its app in INSTALLED_APPS?") from None


def task_enqueue(name: str, *, run_after: datetime | None = None, **kwargs) -> bool:
    """Queue the task registered as ``name``; with ``run_after``, for then.

    Returns False, queueing nothing, when the backend cannot run tasks later (the immediate backend in
    tests): whatever asked for a later run must then be caught up by a sweep.
    """
    task = task_named(name)
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return False
        task = task.using(run_after=run_after)
    task.enqueue(**kwargs)
    return True


def task_enqueue_once(name: str, *, run_after: datetime) -> bool:
    """Queue the task registered as ``name`` (no arguments) for ``run_after`` unless a run is already waiting.

    Self-repeating tasks call this first thing, before their work, so a worker killed mid-run still
    leaves the next run queued; the check keeps the chain single when the demo or a deploy starts it again.
    Returns False when the task backend cannot run tasks later (the immediate backend in tests).
    """
    task = task_named(name)
    backend = task.get_backend()
    if not backend.supports_defer:
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY, backend_name=backend.alias
    )
    if waiting.exists():
        return False
    task.using(run_after=run_after).enqueue()
    return True


def repeating(name: str) -> Callable[[Task], Task]:
    """Like ``registered``, for a task that queues its own next run; ``schedule_tasks`` starts each once."""

    def record(task: Task) -> Task:
        _REPEATING.add(name)
        return registered(name)(task)

    return record


def repeating_task_names() -> list[str]:
    """The names of every self-repeating task, sorted."""
    return sorted(_REPEATING)
