"""A therapist's own schedule and the admin screens staff use most, in a browser.

``staff_scene()`` writes a day with a session to mark, a cancelled one and an email in the
outbox, a therapist with a staff login and a superuser; ``staff_states(scene)`` lists (name,
visit) pairs like ``public_states``. Each visit signs in afresh as the person the page is for
(the therapist on the schedule, the superuser in the admin), so any state can be visited alone.
The front desk's pages live in the desk, which has its own audits.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from core.models import OutgoingEmail
from tests.factories import AppointmentFactory, AuthorFactory, PostFactory, StaffUserFactory, clinic_with_hours

OWNER = "owner"
THERAPIST = "daniel"
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
    therapist.user = StaffUserFactory(username=THERAPIST, password=PASSWORD)
    therapist.save()
    StaffUserFactory(username=OWNER, password=PASSWORD, is_superuser=True)
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


def sign_in_as(page, base_url: str, path: str, username: str) -> None:
    """Open ``path`` signed in as ``username`` alone: earlier sessions are dropped first."""
    page.context.clear_cookies()
    page.goto(base_url + path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if page.url != base_url + path:  # the front desk's sign-in lands on the desk
        page.goto(base_url + path)
    page.wait_for_load_state("load")


def _staff_goto(path, username):
    def visit(page, base_url):
        sign_in_as(page, base_url, path, username)

    visit.path = path
    return visit


def staff_states(scene: StaffScene) -> list[tuple[str, object]]:
    """(name, visit) for a therapist's schedule, day and week, and the admin screens."""
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    appointment, post = scene.appointment, scene.post
    states = [
        ("staff: schedule day", f"/staff/schedule/?date={yesterday}", THERAPIST),
        ("staff: schedule week", f"/staff/schedule/?date={yesterday}&view=week", THERAPIST),
        ("admin: index", "/admin/", OWNER),
        ("admin: appointments", "/admin/bookings/appointment/", OWNER),
        ("admin: appointment", f"/admin/bookings/appointment/{appointment.pk}/change/", OWNER),
        ("admin: posts", "/admin/blog/post/", OWNER),
        ("admin: post", f"/admin/blog/post/{post.pk}/change/", OWNER),
        ("admin: new post", "/admin/blog/post/add/", OWNER),
        ("admin: outbox", "/admin/core/outgoingemail/", OWNER),
    ]
    return [(name, _staff_goto(path, username)) for name, path, username in states]


def desk_states(scene: StaffScene) -> list[tuple[str, object]]:
    """(name, visit) for the front desk's pages, as the superuser sees them."""
    session = f"/staff/sessions/{scene.appointment.pk}/"
    paths = {
        "desk: day": "/staff/",
        "desk: week": "/staff/week/",
        "desk: book": "/staff/book/",
        "desk: session": session,
        "desk: move": session + "move/",
        "desk: clients": "/staff/clients/",
        "desk: waitlist": "/staff/waitlist/",
    }
    return [(name, _staff_goto(path, OWNER)) for name, path in paths.items()]


def desk_money_states(*, api_base: str, staff) -> list[tuple[str, object]]:
    """(name, visit) for the desk's money pages with payments on (the ``stripe_on`` fixture), as ``staff`` sees them:
    a session with its fee charged and a cash payment, a fee to confirm, the same refused, a refund, a desk
    payment and the day's takings. ``staff`` signs in with ``PASSWORD``."""
    from desk.fees import fee_charge
    from desk.money import desk_payment_record
    from tests.payments.desk_scene import missed_session

    to_charge = missed_session(api_base=api_base)
    charged = missed_session(api_base=api_base)
    fee_charge(appointment=charged, amount=4500, charged_by=staff)
    desk_payment_record(appointment=charged, amount=2000, method="cash", note="", intention="a11y", recorded_by=staff)
    fee = f"/staff/sessions/{to_charge.pk}/fee/"
    session = f"/staff/sessions/{charged.pk}/"

    def fee_refused(page, base_url):
        sign_in_as(page, base_url, fee, staff.username)
        page.get_by_label("Amount to charge").fill("99")
        page.get_by_role("button", name="Charge the fee").click()
        page.get_by_text("more than the fee of").wait_for()

    states = [
        ("desk money: session", _staff_goto(session, staff.username)),
        ("desk money: charge a fee", _staff_goto(fee, staff.username)),
        ("desk money: fee above the policy refused", fee_refused),
        ("desk money: refund", _staff_goto(session + "refund/", staff.username)),
        ("desk money: record a payment", _staff_goto(session + "payment/", staff.username)),
        ("desk money: takings", _staff_goto("/staff/takings/", staff.username)),
    ]
    return states
