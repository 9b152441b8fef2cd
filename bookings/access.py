"""Who may see what on the staff side.

Intake answers are health information: only the appointment's own therapist, the front desk and
superusers see them, on the staff schedule and in the admin alike. Everyone else with access to a
booking (for example a bookkeeper with view permission) sees only whether intake was provided.
"""

from .models import Appointment, Therapist

FRONT_DESK_GROUP = "Front desk"
# Runs the clinic: therapists, services, rooms and staff accounts, and everything the front desk sees.
CLINIC_OWNER_GROUP = "Clinic owner"


def is_front_desk(user) -> bool:
    """True for staff with the front desk's view of the clinic (every schedule, every intake): the
    front desk, the clinic's owner and superusers."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name__in=[FRONT_DESK_GROUP, CLINIC_OWNER_GROUP]).exists()


def reads_health_data(user) -> bool:
    """True for staff who can read some client's intake: the front desk, superusers and every
    therapist with a staff account (they read their own clients'). They must sign in with a second factor."""
    if not (user.is_active and user.is_staff):
        return False
    return is_front_desk(user) or Therapist.objects.filter(user=user).exists()


def intake_visible_to(user, appointment: Appointment | None, *, front_desk: bool | None = None) -> bool:
    """True when ``user`` may read (and edit) the intake of ``appointment``; None stands for a new booking.

    Pass ``front_desk`` when it is already known, to save a query per appointment on list pages.
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if front_desk is None:
        front_desk = is_front_desk(user)
    if front_desk:
        return True
    if appointment is None:
        return False
    therapist_user_id = getattr(appointment.therapist, "user_id", None)
    return therapist_user_id is not None and therapist_user_id == user.pk
