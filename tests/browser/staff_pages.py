"""The staff pages (schedule, phone booking) and the admin screens staff use most, in a browser.

``staff_scene()`` writes a day with a session to mark, a cancelled one and an email in the
outbox, and a superuser; ``staff_states(scene)`` lists (name, visit) pairs like
``public_states``. Each visit signs the superuser in first if the page asks for it, so any
state can be visited alone.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from core.models import OutgoingEmail
from tests.factories import AppointmentFactory, AuthorFactory, PostFactory, StaffUserFactory, clinic_with_hours

USERNAME = "owner"
PASSWORD = "correct horse battery staple"


@dataclass
class StaffScene:
    appointment: object
    post: object


def staff_scene() -> StaffScene:
    service, (therapist,), (room,) = clinic_with_hours(
        start=time(0), end=time(23, 45), name="Sports massage", slug="sports-massage"
    )
    therapist.name = "Daniel Reyes"
    therapist.save()
    StaffUserFactory(username=USERNAME, password=PASSWORD, is_superuser=True)
    today = timezone.localdate()
    at = lambda day, hour: timezone.make_aware(datetime.combine(day, time(hour)))  # noqa: E731
    yesterday = today - timedelta(days=1)
    # Yesterday's session was never marked, so the schedule offers "Completed" and "No-show".
    appointment = AppointmentFactory(
        service=service, therapist=therapist, room=room, starts_at=at(yesterday, 10), client_name="Ana Silva"
    )
    AppointmentFactory(
        service=service,
        therapist=therapist,
        room=room,
        starts_at=at(yesterday, 14),
        client_name="Bo Chen",
        status="cancelled",
    )
    AppointmentFactory(
        service=service,
        therapist=therapist,
        room=room,
        starts_at=at(today + timedelta(days=1), 11),
        client_name="Cy Li",
    )
    OutgoingEmail.objects.create(
        reference=f"appointment {appointment.pk}: booked",
        subject="Your session is booked",
        recipients=["ana@example.com"],
        payload={"body": "See you soon."},
        next_attempt_at=timezone.now(),
    )
    post = PostFactory(title="Warming up for a race", slug="warming-up", author=AuthorFactory(name="Daniel Reyes"))
    return StaffScene(appointment=appointment, post=post)


def sign_in_if_asked(page, base_url: str) -> None:
    """Fill the staff login form when the page that opened is the login page."""
    if "/login/" in page.url:
        page.get_by_label("Username").fill(USERNAME)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state("load")


def _staff_goto(path):
    def visit(page, base_url):
        page.goto(base_url + path)
        sign_in_if_asked(page, base_url)
        page.wait_for_load_state("load")

    visit.path = path
    return visit


def staff_states(scene: StaffScene) -> list[tuple[str, object]]:
    """(name, visit) for the staff schedule, the phone booking form and the admin screens."""
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    appointment, post = scene.appointment, scene.post
    states = [
        ("staff: schedule day", f"/staff/schedule/?date={yesterday}"),
        ("staff: schedule week", f"/staff/schedule/?date={yesterday}&view=week"),
        ("staff: phone booking", "/staff/appointments/new/"),
        ("staff: move", f"/staff/appointments/{appointment.pk}/move/"),
        ("admin: index", "/admin/"),
        ("admin: appointments", "/admin/bookings/appointment/"),
        ("admin: appointment", f"/admin/bookings/appointment/{appointment.pk}/change/"),
        ("admin: posts", "/admin/blog/post/"),
        ("admin: post", f"/admin/blog/post/{post.pk}/change/"),
        ("admin: new post", "/admin/blog/post/add/"),
        ("admin: outbox", "/admin/core/outgoingemail/"),
    ]
    return [(name, _staff_goto(path)) for name, path in states]
