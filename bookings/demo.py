"""Demo clinic: staff, groups, rooms, services, therapists, their hours, a policy and a few bookings."""

from datetime import date, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.demo import grant, portrait_placeholder

from .access import CLINIC_OWNER_GROUP
from .models import BookingPolicy, Closure, Room, Service, Therapist, WorkingHours

STAFF_USERNAME = "frontdesk"
STAFF_PASSWORD = "demo-clinic-2026"
OWNER_USERNAME = "owner"

ROOMS = [("Willow room", "willow"), ("Cedar room", "cedar"), ("Birch room (hot stone)", "birch")]

SERVICES = [
    {
        "slug": "massage-30",
        "name": "30-minute massage",
        "duration_minutes": 30,
        "cleanup_minutes": 10,
        "price": Decimal("55.00"),
        "description": "A focused session on one or two areas — neck and shoulders, lower back, or tired feet.",
        "rooms": ["willow", "cedar", "birch"],
    },
    {
        "slug": "massage-60",
        "name": "60-minute massage",
        "duration_minutes": 60,
        "cleanup_minutes": 15,
        "price": Decimal("95.00"),
        "description": "Our most booked session: full body, with the pressure you ask for, from relaxing to deep tissue.",
        "rooms": ["willow", "cedar", "birch"],
    },
    {
        "slug": "massage-90",
        "name": "90-minute massage",
        "duration_minutes": 90,
        "cleanup_minutes": 15,
        "price": Decimal("135.00"),
        "description": "Time for a full-body session plus extra work where you carry the most tension.",
        "rooms": ["willow", "cedar", "birch"],
    },
    {
        "slug": "sports-massage",
        "name": "Sports massage",
        "duration_minutes": 60,
        "cleanup_minutes": 15,
        "price": Decimal("105.00"),
        "description": "Assessment, stretching and targeted work for runners, climbers and anyone training for an event.",
        "rooms": ["willow", "cedar"],
    },
    {
        "slug": "hot-stone",
        "name": "Hot stone massage",
        "duration_minutes": 75,
        "cleanup_minutes": 30,
        "price": Decimal("125.00"),
        "description": "Warm basalt stones melt tension before the hands go deeper. Held in our hot-stone room.",
        "rooms": ["birch"],
    },
]

THERAPISTS = [
    {
        "slug": "maya-okafor",
        "name": "Maya Okafor",
        "credentials": "LMT, E-RYT 500, FAFS",
        "username": "maya",
        "hue": (29, 92, 99),
        "bio": (
            "Maya has worked with runners for over a decade and still runs the local half marathon every spring. "
            "She blends sports massage with the movement assessment she learned as a functional anatomy specialist, "
            "so you leave knowing why an area hurts and what to do between sessions."
        ),
        "services": ["massage-30", "massage-60", "massage-90", "sports-massage"],
    },
    {
        "slug": "daniel-reyes",
        "name": "Daniel Reyes",
        "credentials": "LMT, CNMT",
        "username": "daniel",
        "hue": (120, 80, 70),
        "bio": (
            "Daniel trained in neuromuscular therapy after a climbing injury of his own. "
            "He is patient with stubborn shoulders and necks and explains each technique before he uses it."
        ),
        "services": ["massage-30", "massage-60", "massage-90", "sports-massage", "hot-stone"],
    },
    {
        "slug": "priya-natarajan",
        "name": "Priya Natarajan",
        "credentials": "LMT, CPMT",
        "username": "priya",
        "hue": (98, 120, 110),
        "bio": (
            "Priya is a certified prenatal massage therapist and a mother of two. "
            "Her sessions are calm and unhurried, with plenty of pillows and attention to comfort at every stage of pregnancy."
        ),
        "services": ["massage-30", "massage-60", "massage-90", "hot-stone"],
    },
    {
        "slug": "tom-lindqvist",
        "name": "Tom Lindqvist",
        "credentials": "LMT",
        "username": "tom",
        "hue": (70, 100, 80),
        "bio": (
            "Tom came to massage from years as a carpenter and knows what desk and trade work do to a back. "
            "He likes firm pressure, clear communication and a good stretch at the end."
        ),
        "services": ["massage-30", "massage-60", "hot-stone"],
    },
]

# Weekly hours in the clinic's wall-clock time: (weekdays, [(start, end), ...]); Monday is 0.
HOURS = {
    "maya-okafor": ([0, 1, 2, 3, 4], [(time(9), time(12)), (time(13), time(18))]),
    "daniel-reyes": ([1, 2, 3, 4, 5], [(time(10), time(14)), (time(15), time(19))]),
    "priya-natarajan": ([0, 2, 3], [(time(9), time(15))]),
    "tom-lindqvist": ([0, 1, 2, 3, 4], [(time(12), time(20))]),
}

CLOSURES = [
    (date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving"),
    (date(2026, 12, 24), date(2026, 12, 26), "Winter holidays"),
]

DEMO_CLIENTS = [
    ("Jordan Ellis", "massage-60", "maya-okafor", 1),
    ("Sam Whitaker", "sports-massage", "daniel-reyes", 2),
    ("Rosa Delgado", "massage-90", "priya-natarajan", 3),
    ("Chris Park", "hot-stone", "tom-lindqvist", 4),
    ("Alex Moreau", "massage-30", "maya-okafor", 6),
    ("Taylor Brooks", "massage-60", "tom-lindqvist", 9),
]

FRONT_DESK_PERMISSIONS = {
    "bookings": [
        "view_room",
        "view_service",
        "view_therapist",
        "view_appointment",
        "add_appointment",
        "change_appointment",
        "view_workinghours",
        "add_workinghours",
        "change_workinghours",
        "delete_workinghours",
        "view_timeoff",
        "add_timeoff",
        "change_timeoff",
        "delete_timeoff",
        "view_closure",
        "add_closure",
        "change_closure",
        "view_bookingpolicy",
    ],
}
EDITOR_PERMISSIONS: dict[str, list[str]] = {}
_MANAGE = ("add", "change", "delete", "view")
OWNER_PERMISSIONS = {
    "bookings": [
        *FRONT_DESK_PERMISSIONS["bookings"],
        *(f"{action}_{model}" for model in ("room", "service", "therapist") for action in _MANAGE),
        "change_bookingpolicy",
    ],
    # Staff accounts; clinic/admin.py keeps superuser rights and superusers' accounts out of an owner's reach.
    "auth": ["add_user", "change_user", "view_user", "view_group"],
}


def seed(*, stdout) -> None:
    User = get_user_model()
    front_desk, _ = Group.objects.get_or_create(name="Front desk")
    editors, _ = Group.objects.get_or_create(name="Editors")
    owners, _ = Group.objects.get_or_create(name=CLINIC_OWNER_GROUP)
    grant(front_desk, FRONT_DESK_PERMISSIONS)
    grant(editors, EDITOR_PERMISSIONS)
    grant(owners, OWNER_PERMISSIONS)

    staff, created = User.objects.get_or_create(
        username=STAFF_USERNAME,
        defaults={"first_name": "Front", "last_name": "Desk", "email": "frontdesk@riverside-massage.example"},
    )
    if created:
        staff.is_staff = True
        staff.set_password(STAFF_PASSWORD)
        staff.save()
        staff.groups.add(front_desk, editors)
    owner, created = User.objects.get_or_create(
        username=OWNER_USERNAME,
        defaults={"first_name": "Robin", "last_name": "Hale", "email": "owner@riverside-massage.example"},
    )
    if created:
        owner.is_staff = True
        owner.set_password(STAFF_PASSWORD)
        owner.save()
        owner.groups.add(owners, editors)

    rooms = {}
    for name, slug in ROOMS:
        rooms[slug], _ = Room.objects.get_or_create(slug=slug, defaults={"name": name})

    services = {}
    for position, data in enumerate(SERVICES):
        data = dict(data)
        room_slugs = data.pop("rooms")
        service, _ = Service.objects.update_or_create(slug=data.pop("slug"), defaults={**data, "position": position})
        service.rooms.set([rooms[slug] for slug in room_slugs])
        services[service.slug] = service

    for position, data in enumerate(THERAPISTS):
        user, user_created = User.objects.get_or_create(
            username=data["username"],
            defaults={
                "first_name": data["name"].split()[0],
                "last_name": data["name"].split()[-1],
                "email": f"{data['username']}@riverside-massage.example",
                "is_staff": True,
            },
        )
        if user_created:
            user.set_password(STAFF_PASSWORD)
            user.save()
            user.groups.add(editors)
        therapist, _ = Therapist.objects.update_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "credentials": data["credentials"],
                "bio": data["bio"],
                "user": user,
                "position": position,
            },
        )
        if not therapist.photo:
            therapist.photo.save(f"{therapist.slug}.png", portrait_placeholder(therapist.name, hue=data["hue"]))
        therapist.services.set([services[slug] for slug in data["services"]])
    for slug, (weekdays, intervals) in HOURS.items():
        therapist = Therapist.objects.get(slug=slug)
        for weekday in weekdays:
            for start_time, end_time in intervals:
                WorkingHours.objects.get_or_create(
                    therapist=therapist, weekday=weekday, start_time=start_time, end_time=end_time
                )
    for starts_on, ends_on, reason in CLOSURES:
        Closure.objects.get_or_create(starts_on=starts_on, reason=reason, defaults={"ends_on": ends_on})
    if not BookingPolicy.objects.exists():
        BookingPolicy.objects.create()
    stdout.write(
        f"Bookings: {len(THERAPISTS)} therapists with working hours, {len(SERVICES)} services, {len(ROOMS)} rooms."
    )
