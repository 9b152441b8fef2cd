"""Every change to a client record: matching a booking to its person, notes, intake, merging and erasing.

A booking finds its client here, inside the booking's own transaction, so the appointment and the
record it joins commit together. Every change leaves a ``ClientEvent`` naming who made it; notes and
intake answers are health information, so the history says only that they changed.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from .models import INTAKE_ANSWERS, Client, ClientEvent, ClientIntake, phone_digits

DETAIL_FIELDS = ("name", "email", "email_verified", "phone", "date_of_birth", "notes")
PRIVATE_FIELDS = ("notes",)


class ClientError(Exception):
    """A change to a client record the rules refuse; ``message`` is written for staff."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IntakeAnswers:
    areas_to_avoid: str = ""
    pregnant: bool = False
    injuries: str = ""
    medications: str = ""
    allergies: str = ""
    consent: bool = False

    @property
    def has_answers(self) -> bool:
        return bool(
            self.areas_to_avoid.strip()
            or self.pregnant
            or self.injuries.strip()
            or self.medications.strip()
            or self.allergies.strip()
        )


@dataclass(frozen=True)
class ClientActor:
    kind: str
    user: object = None

    @classmethod
    def client(cls) -> "ClientActor":
        return cls(ClientEvent.Actor.CLIENT)

    @classmethod
    def staff(cls, user) -> "ClientActor":
        return cls(ClientEvent.Actor.STAFF, user) if user is not None else cls.system()

    @classmethod
    def system(cls) -> "ClientActor":
        return cls(ClientEvent.Actor.SYSTEM)


def client_event_record(*, client: Client, action: str, actor: ClientActor, changes: dict, at: datetime) -> ClientEvent:
    user = actor.user if actor.kind == ClientEvent.Actor.STAFF else None
    return ClientEvent.objects.create(
        client=client,
        at=at,
        actor_kind=actor.kind,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        action=action,
        changes=changes,
    )


def _shown(field: str, value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _changes(before: dict, after: dict) -> dict:
    changes = {}
    for field in DETAIL_FIELDS:
        if field not in after or before.get(field) == after[field]:
            continue
        if field in PRIVATE_FIELDS:
            changes[field] = "updated" if after[field] else "cleared"
        else:
            changes[field.replace("_", " ")] = [_shown(field, before.get(field)), _shown(field, after[field])]
    return changes


def _state(client: Client) -> dict:
    return {field: getattr(client, field) for field in DETAIL_FIELDS}


def client_create(
    *,
    name: str,
    email: str = "",
    phone: str = "",
    email_verified: bool,
    actor: ClientActor,
    date_of_birth: date | None = None,
    now: datetime | None = None,
) -> Client:
    now = now or timezone.now()
    client = Client(
        name=name.strip(),
        email=email,
        phone=phone.strip(),
        email_verified=email_verified and bool(email),
        date_of_birth=date_of_birth,
    )
    client.save()
    client_event_record(
        client=client,
        action=ClientEvent.Action.CREATED,
        actor=actor,
        at=now,
        changes=_changes({}, {field: value for field, value in _state(client).items() if value}),
    )
    return client


def client_for_booking(
    *, name: str, email: str, phone: str, by_client: bool, booked_by=None, now: datetime | None = None
) -> Client:
    """The person a new booking belongs to, created when we have not met them.

    A booking joins a record through an email the person proved (or gave to staff), or through
    the phone number when neither has an email. An online booking under an address nobody has
    proved yet starts its own record: whoever typed someone else's address must not add their
    answers to that person's history. Opening the manage link proves the address and joins the
    records (``client_email_verify``); staff merge what is left.
    """
    email = email.strip().lower()
    digits = phone_digits(phone)
    actor = ClientActor.client() if by_client else ClientActor.staff(booked_by)
    if email:
        match = Client.objects.filter(email=email, email_verified=True, erased_at__isnull=True).first()
        if match is not None:
            if not match.phone and digits:
                match.phone = phone.strip()
                match.save(update_fields=["phone", "phone_digits", "updated_at"])
            return match
    elif digits:
        match = Client.objects.filter(email="", phone_digits=digits, erased_at__isnull=True).order_by("pk").first()
        if match is not None:
            return match
    return client_create(name=name, email=email, phone=phone, email_verified=not by_client, actor=actor, now=now)


def client_intake_record(
    *,
    client: Client,
    answers: IntakeAnswers,
    appointment_ref: int | None,
    actor: ClientActor,
    now: datetime | None = None,
) -> ClientIntake | None:
    """Keep the intake given with a booking (or by staff) as the client's newest; earlier ones stay as history."""
    if not (answers.has_answers or answers.consent):
        return None
    latest = client_intake_latest(client)
    unchanged = latest is not None and all(getattr(latest, f) == getattr(answers, f) for f in INTAKE_ANSWERS)
    if unchanged and (latest.consent_at is not None or not answers.consent):
        return latest  # the same answers again: the history gains no step
    now = now or timezone.now()
    intake = ClientIntake.objects.create(
        client=client,
        taken_at=now,
        appointment_ref=appointment_ref,
        consent_at=now if answers.consent else None,
        **{field: getattr(answers, field) for field in INTAKE_ANSWERS},
    )
    client_event_record(
        client=client,
        action=ClientEvent.Action.INTAKE,
        actor=actor,
        at=now,
        changes={"intake": "provided" if answers.has_answers else "consent given"},
    )
    return intake


def client_intake_latest(client: Client) -> ClientIntake | None:
    return client.intakes.order_by("-taken_at", "-pk").first()


def client_update(*, client: Client, details: dict, changed_by, now: datetime | None = None) -> Client:
    """Staff correct the client's details or notes; the history says what changed (for notes, only that)."""
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"Not a client detail: {', '.join(sorted(unknown))}")
    now = now or timezone.now()
    with transaction.atomic():
        current = Client.objects.select_for_update().get(pk=client.pk)
        if current.erased_at is not None:
            raise ClientError("This client's data was erased; the record can no longer be changed.")
        before = _state(current)
        for field, value in details.items():
            setattr(current, field, value.strip() if isinstance(value, str) else value)
        current.email = current.email.lower()
        if current.email != before["email"] and "email_verified" not in details:
            current.email_verified = bool(current.email)  # staff heard the new address from the person
        if not current.email:
            current.email_verified = False
        if not current.name:
            raise ClientError("A client needs a name.")
        clash = Client.objects.filter(email=current.email, email_verified=True).exclude(pk=current.pk)
        if current.email_verified and current.email and clash.exists():
            raise ClientError("Another client record has this verified email. Merge the two records instead.")
        changes = _changes(before, _state(current))
        if not changes:
            return current
        current.save()
        client_event_record(
            client=current,
            action=ClientEvent.Action.CHANGED,
            actor=ClientActor.staff(changed_by),
            at=now,
            changes=changes,
        )
    return current


def client_email_verify(*, client: Client, now: datetime | None = None) -> Client:
    """The person opened a link we emailed to this record's address: it is theirs.

    When another record already holds the proven address, this one joins it, bookings and intake
    history and all; the proven record is the one that stays.
    """
    now = now or timezone.now()
    if not client.email or client.email_verified:
        return client
    with transaction.atomic():
        current = Client.objects.select_for_update().get(pk=client.pk)
        if current.email_verified or current.erased_at is not None:
            return current
        proven = Client.objects.filter(email=current.email, email_verified=True).exclude(pk=current.pk).first()
        if proven is not None:
            return _merge(keep=proven, duplicate=current, actor=ClientActor.client(), now=now)
        current.email_verified = True
        current.save(update_fields=["email_verified", "updated_at"])
        client_event_record(
            client=current,
            action=ClientEvent.Action.VERIFIED,
            actor=ClientActor.client(),
            at=now,
            changes={"email": current.email},
        )
    return current


def _merge(*, keep: Client, duplicate: Client, actor: ClientActor, now: datetime) -> Client:
    """Point everything at ``keep`` (every model that refers to clients, whatever app it lives in)."""
    for relation in Client._meta.related_objects:
        if relation.one_to_many and relation.field.model is not Client:
            relation.related_model._base_manager.filter(**{relation.field.name: duplicate}).update(
                **{relation.field.name: keep}
            )
    filled = {}
    for field in ("phone", "date_of_birth"):
        if not getattr(keep, field) and getattr(duplicate, field):
            setattr(keep, field, getattr(duplicate, field))
            filled[field.replace("_", " ")] = [_shown(field, None), _shown(field, getattr(duplicate, field))]
    if not keep.email and duplicate.email:
        keep.email, keep.email_verified = duplicate.email, duplicate.email_verified
        filled["email"] = ["", duplicate.email]
    if duplicate.notes.strip():
        keep.notes = f"{keep.notes.rstrip()}\n\n{duplicate.notes.strip()}".strip()
        filled["notes"] = "updated"
    described = {"merged": f"{duplicate.name} <{duplicate.email or duplicate.phone or 'no contact'}> (#{duplicate.pk})"}
    duplicate.delete()
    keep.save()
    client_event_record(
        client=keep, action=ClientEvent.Action.MERGED, actor=actor, at=now, changes={**described, **filled}
    )
    return keep


def client_merge(*, keep: Client, duplicate: Client, changed_by, now: datetime | None = None) -> Client:
    """Staff join two records of the same person: ``duplicate``'s bookings, intake and history move to ``keep``."""
    if keep.pk == duplicate.pk:
        raise ClientError("Choose a different record to merge: this is the same one.")
    now = now or timezone.now()
    with transaction.atomic():
        rows = {
            c.pk: c for c in Client.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk]).order_by("pk")
        }
        if len(rows) != 2:
            raise ClientError("One of the two records no longer exists; reload the page.")
        keep, duplicate = rows[keep.pk], rows[duplicate.pk]
        if keep.erased_at or duplicate.erased_at:
            raise ClientError("An erased record cannot be merged.")
        return _merge(keep=keep, duplicate=duplicate, actor=ClientActor.staff(changed_by), now=now)


def client_health_erase(*, client: Client, actor: ClientActor, action: str, now: datetime) -> None:
    """Blank the client's notes and delete their intake history (inside the caller's transaction)."""
    had = client.notes.strip() or client.intakes.exists()
    client.intakes.all().delete()
    if client.notes:
        client.notes = ""
        client.save(update_fields=["notes", "updated_at"])
    if had:
        client_event_record(
            client=client, action=action, actor=actor, at=now, changes={"intake": "erased", "notes": "erased"}
        )


def client_personal_erase(*, client: Client, changed_by, now: datetime | None = None) -> Client:
    """Erase what identifies the person and their health data; the record stays so the bookings keep a client."""
    now = now or timezone.now()
    with transaction.atomic():
        current = Client.objects.select_for_update().get(pk=client.pk)
        if current.erased_at is not None:
            return current
        _personal_erase(current, changed_by=changed_by, now=now)
    return current


def _personal_erase(current: Client, *, changed_by, now: datetime) -> None:
    client_health_erase(client=current, actor=ClientActor.staff(changed_by), action=ClientEvent.Action.ERASED, now=now)
    current.name = "Erased client"
    current.email = current.phone = ""
    current.email_verified = False
    current.date_of_birth = None
    current.erased_at = now
    current.save()
    client_event_record(
        client=current,
        action=ClientEvent.Action.ERASED,
        actor=ClientActor.staff(changed_by),
        at=now,
        changes={"name, email, phone, date of birth": "erased"},
    )
