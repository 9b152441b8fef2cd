"""Moving appointments made before client records existed into one record per person.

Used by migration 0007 with the historical models (``apps``), and by its tests with today's. The
same matching rule as new bookings: one record per email (lower-cased), and for bookings without
an email one per phone number. Addresses from staff bookings count as verified (the person gave
them to staff); online-only ones are verified when the person next opens a link we emailed. Each
booking's intake becomes a step in its client's intake history. Bulk statements only: the big
bench clinic's 50,000 bookings take seconds, not a query each.
"""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower

INTAKE = {
    "intake_areas_to_avoid": "areas_to_avoid",
    "intake_pregnant": "pregnant",
    "intake_injuries": "injuries",
    "intake_medications": "medications",
    "intake_allergies": "allergies",
}


def _digits(phone: str) -> str:
    return "".join(character for character in phone if character.isdigit())


def appointments_into_clients(apps, schema_editor=None, *, batch_size: int = 2000) -> int:
    """Give every appointment without a client its client record; returns how many records were made."""
    Appointment = apps.get_model("bookings", "Appointment")
    Client = apps.get_model("clients", "Client")
    ClientIntake = apps.get_model("clients", "ClientIntake")
    unlinked = Appointment.objects.filter(client__isnull=True)
    people: dict[tuple[str, str], dict] = {}
    rows = unlinked.order_by("-starts_at", "-pk").values_list("client_name", "client_email", "client_phone", "source")
    for name, email, phone, source in rows.iterator(chunk_size=batch_size):
        email = email.strip().lower()
        key = ("email", email) if email else ("phone", _digits(phone))
        person = people.setdefault(key, {"name": name, "email": email, "phone": phone, "verified": False})
        person["verified"] |= bool(email) and source != "online"
    existing = set(
        Client.objects.filter(
            email__in=[key for kind, key in people if kind == "email"], email_verified=True
        ).values_list("email", flat=True)
    )
    new = [
        Client(
            name=person["name"][:120] or "Unnamed client",
            email=person["email"],
            email_verified=person["verified"] and person["email"] not in existing,
            phone=person["phone"],
            phone_digits=_digits(person["phone"]),
        )
        for (kind, key), person in people.items()
        if not (kind == "email" and key in existing)
    ]
    Client.objects.bulk_create(new, batch_size=batch_size)
    # The newest record per email wins a tie with an older verified one made before.
    by_email = Client.objects.filter(email=Lower(OuterRef("client_email"))).order_by("-email_verified", "-pk")
    unlinked.exclude(client_email="").update(client=Subquery(by_email.values("pk")[:1]))
    for phone in unlinked.filter(client_email="").values_list("client_phone", flat=True).distinct():
        client_id = (
            Client.objects.filter(email="", phone_digits=_digits(phone)).order_by("-pk").values_list("pk", flat=True)
        ).first()
        Appointment.objects.filter(client__isnull=True, client_email="", client_phone=phone).update(client=client_id)
    _intake_history(Appointment, ClientIntake, batch_size=batch_size)
    return len(new)


def _intake_history(Appointment, ClientIntake, *, batch_size: int) -> None:
    """One intake step per booking that carried answers or consent, oldest first, unless already recorded."""
    recorded = set(ClientIntake.objects.exclude(appointment_ref=None).values_list("appointment_ref", flat=True))
    with_intake = Appointment.objects.exclude(client=None).exclude(
        intake_areas_to_avoid="",
        intake_injuries="",
        intake_medications="",
        intake_allergies="",
        intake_pregnant=False,
        consent_at=None,
    )
    batch = []
    fields = ["pk", "client_id", "created_at", "consent_at", *INTAKE]
    for row in with_intake.order_by("created_at", "pk").values(*fields).iterator(chunk_size=batch_size):
        if row["pk"] in recorded:
            continue
        batch.append(
            ClientIntake(
                client_id=row["client_id"],
                taken_at=row["consent_at"] or row["created_at"],
                appointment_ref=row["pk"],
                consent_at=row["consent_at"],
                **{answer: row[field] for field, answer in INTAKE.items()},
            )
        )
        if len(batch) >= batch_size:
            ClientIntake.objects.bulk_create(batch)
            batch = []
    ClientIntake.objects.bulk_create(batch)
