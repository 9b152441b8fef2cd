"""Background work of payments: gift card emails sent on the day the purchaser chose."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from core.queue import registered, repeating, task_enqueue_once

from . import giftcards

GIFT_CARD_CATCH_UP_EVERY = timedelta(hours=1)


@registered("payments.giftcard_deliver")
@task()
def giftcard_deliver(*, card_id: int) -> bool:
    """Email a gift card to its recipient, queued at the sale for the morning of the chosen day."""
    return giftcards.giftcard_deliver(card_id=card_id)


@repeating("payments.giftcards_catch_up")
@task()
def giftcards_catch_up() -> int:
    """Every hour: send the gift cards whose day has come and whose task was lost. Queues the next run first."""
    task_enqueue_once("payments.giftcards_catch_up", run_after=timezone.now() + GIFT_CARD_CATCH_UP_EVERY)
    return giftcards.giftcards_deliver_due()


RECONCILE_EVERY = timedelta(minutes=10)


@repeating("payments.reconcile")
@task()
def payments_reconcile() -> int:
    """Every ten minutes: settle the Stripe requests a crash left unanswered. Queues the next run first."""
    from core.money import payments_enabled

    from . import reconcile

    task_enqueue_once("payments.reconcile", run_after=timezone.now() + RECONCILE_EVERY)
    if not payments_enabled():
        return 0
    return reconcile.payments_reconcile().settled
