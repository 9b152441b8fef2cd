"""What packages and gift cards do when bookings change (bookings.signals, after the change is committed).

A booking cancelled before the cutoff gives back its package credit and what it took from gift cards; one
cancelled after the cutoff keeps them used, as the cancellation policy says of a late cancel. A payment hold
released (run out, or given up at the payment step) gives back what was used for it there.
"""

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from bookings.models import Appointment
from bookings.signals import appointment_cancelled, hold_released

from .giftcards import giftcard_return
from .ledger import LedgerActor
from .packages import package_credit_return


@receiver(appointment_cancelled, dispatch_uid="payments.prepaid_give_back")
def prepaid_give_back(sender, *, appointment_id: int, by_client: bool, late: bool, actor_id=None, **kwargs) -> None:
    if late:
        return
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None:
        return
    if by_client:
        actor = LedgerActor.client()
    else:
        actor = LedgerActor.staff(get_user_model().objects.filter(pk=actor_id).first() if actor_id else None)
    package_credit_return(appointment=appointment, actor=actor)
    giftcard_return(appointment=appointment, actor=actor)


@receiver(hold_released, dispatch_uid="payments.prepaid_hold_released")
def prepaid_hold_give_back(sender, *, appointment_id: int, **kwargs) -> None:
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None:
        return
    package_credit_return(appointment=appointment, actor=LedgerActor.system())
    giftcard_return(appointment=appointment, actor=LedgerActor.system())
