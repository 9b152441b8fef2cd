"""A client's data request, answered from the desk: everything we hold, exported; or all of it erased.

Both span the client record, its bookings and the newsletter, so they are composed here, above
those apps, each part through its own app's service and all of an erasure in one transaction.
"""

from django.db import transaction
from django.utils import timezone

from bookings.maintenance import appointments_personal_erase
from bookings.models import INTAKE_FIELDS, Appointment
from clients.models import INTAKE_ANSWERS, Client, ClientEvent
from clients.services import ClientActor, client_event_record, client_personal_erase
from newsletter.interface import newsletter_forget, newsletter_state
from waitlist.retention import entries_personal_erase


def client_data_export(*, client: Client, requested_by) -> dict:
    """Everything the clinic holds about the client, for a request by email (recorded in their history)."""
    now = timezone.now()
    appointments = (
        Appointment.objects.filter(client=client).select_related("service", "therapist").order_by("starts_at")
    )
    data = {
        "exported_at": now.isoformat(),
        "client": {
            "name": client.name,
            "email": client.email,
            "phone": client.phone,
            "date_of_birth": client.date_of_birth.isoformat() if client.date_of_birth else None,
            "staff_notes": client.notes,
            "record_created_at": client.created_at.isoformat(),
        },
        "newsletter": newsletter_state(client.email),
        "intake_history": [
            {
                "given_at": intake.taken_at.isoformat(),
                "consent_to_treatment_at": intake.consent_at.isoformat() if intake.consent_at else None,
                **{field: getattr(intake, field) for field in INTAKE_ANSWERS},
            }
            for intake in client.intakes.order_by("taken_at", "pk")
        ],
        "sessions": [
            {
                "starts_at": a.starts_at.isoformat(),
                "service": a.service.name,
                "therapist": a.therapist.name,
                "status": a.get_status_display(),
                "name_given": a.client_name,
                "email_given": a.client_email,
                "phone_given": a.client_phone,
                "notes": a.notes,
                "cancel_reason": a.cancel_reason,
                **{field.removeprefix("intake_"): getattr(a, field) for field in INTAKE_FIELDS},
            }
            for a in appointments
        ],
    }
    client_event_record(
        client=client, action=ClientEvent.Action.EXPORTED, actor=ClientActor.staff(requested_by), at=now, changes={}
    )
    return data


def client_data_erase(*, client: Client, requested_by) -> Client:
    """Erase the person from the record, their bookings, the waitlist and the newsletter; sessions stay, anonymous."""
    now = timezone.now()
    with transaction.atomic():
        email = client.email
        booking_ids = list(Appointment.objects.filter(client=client).values_list("pk", flat=True))
        entries_personal_erase(email=email, appointment_ids=booking_ids, now=now)
        appointments_personal_erase(client=client, changed_by=requested_by, now=now)
        erased = client_personal_erase(client=client, changed_by=requested_by, now=now)
        newsletter_forget(email)
    return erased
