"""How each kind of bulk mail is built when it is sent: the registry apps fill when their modules load.

The outbox (core.outbox) stores a bulk email as a kind and an object id; core.mailsending asks the
kind's renderer for the messages at send time and tells it each outcome.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.mail import EmailMessage


@dataclass(frozen=True)
class Renderer:
    """How one kind of bulk mail is built at send time, and where its outcome is recorded.

    ``build(object_ids)`` returns a message per object still to be sent; an object it leaves out is
    no longer wanted (a reader unsubscribed) and its row is cancelled. ``record(object_ids, outcome)``
    (outcome "sent", "failed" or "cancelled") runs in the transaction that marks the rows.
    """

    build: Callable[[list[int]], dict[int, EmailMessage]]
    record: Callable[[list[int], str], None] | None = None


_RENDERERS: dict[str, Renderer] = {}


def renderer_register(
    kind: str,
    *,
    build: Callable[[list[int]], dict[int, EmailMessage]],
    record: Callable[[list[int], str], None] | None = None,
) -> None:
    """Say how emails of ``kind`` ("newsletter.issue") are built; their app does this when its module loads."""
    _RENDERERS[kind] = Renderer(build=build, record=record)


def renderer_kinds() -> list[str]:
    """Every registered kind, sorted."""
    return sorted(_RENDERERS)


def renderer_named(kind: str) -> Renderer:
    try:
        return _RENDERERS[kind]
    except KeyError:
        raise LookupError(f"No email renderer is registered as {kind!r}; is its app in INSTALLED_APPS?") from None
