from datetime import time, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from bookings.models import Appointment, Room, Service, Therapist, WorkingHours


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class StaffUserFactory(UserFactory):
    is_staff = True


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")
    slug = factory.Sequence(lambda n: f"room-{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Massage {n}")
    slug = factory.Sequence(lambda n: f"massage-{n}")
    duration_minutes = 60
    cleanup_minutes = 15
    price = Decimal("90.00")

    @factory.post_generation
    def rooms(self, create, extracted, **kwargs):
        if create and extracted:
            self.rooms.set(extracted)


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"therapist-{n}")
    credentials = "LMT"
    bio = "Careful, attentive bodywork."

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)


# --- bookings factories ---


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    therapist = factory.SubFactory(TherapistFactory)
    weekday = 0
    start_time = time(9, 0)
    end_time = time(17, 0)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked session written straight to the table: for setting the scene, never for testing booking rules."""

    class Meta:
        model = Appointment

    service = factory.SubFactory(ServiceFactory)
    therapist = factory.SubFactory(TherapistFactory)
    room = factory.SubFactory(RoomFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(minutes=a.service.duration_minutes))
    blocked_until = factory.LazyAttribute(lambda a: a.ends_at + timedelta(minutes=a.service.cleanup_minutes))
    client_name = factory.Faker("name")
    client_email = factory.Sequence(lambda n: f"client{n}@example.com")
    client_phone = "617 555 0100"


def clinic_with_hours(*, weekdays=range(7), start=time(9, 0), end=time(17, 0), therapists=1, rooms=1, **service_kwargs):
    """A service, its rooms and therapists who work ``start``–``end`` on ``weekdays``: the usual test scene."""
    room_objects = [RoomFactory() for _ in range(rooms)]
    service = ServiceFactory(rooms=room_objects, **service_kwargs)
    therapist_objects = []
    for position in range(therapists):
        therapist = TherapistFactory(services=[service], position=position)
        for weekday in weekdays:
            WorkingHoursFactory(therapist=therapist, weekday=weekday, start_time=start, end_time=end)
        therapist_objects.append(therapist)
    return service, therapist_objects, room_objects


# --- blog factories ---


from blog.models import Author, Category, Post, Series  # noqa: E402


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"author-{n}")
    credentials = "LMT"
    bio = "Writes about recovery and moving well."


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    title = factory.Sequence(lambda n: f"Series {n}")
    slug = factory.Sequence(lambda n: f"series-{n}")


class PostFactory(factory.django.DjangoModelFactory):
    """A published post, saved through blog.services.post_write so its HTML and tags are derived."""

    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-{n}")
    author = factory.SubFactory(AuthorFactory)
    body = "A paragraph about stretching your calves after a long run."
    status = Post.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from blog.services import post_write

        return post_write(post=model_class(*args, **kwargs))

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)


# --- newsletter factories ---

from newsletter.models import Issue, Subscriber  # noqa: E402


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    status = Subscriber.Status.CONFIRMED
    consented_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyAttribute(
        lambda subscriber: subscriber.consented_at if subscriber.status == Subscriber.Status.CONFIRMED else None
    )
    source_url = "https://clinic.test/"
    consent_text = "We'll email you about once a month."


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    subject = factory.Sequence(lambda n: f"Clinic news no. {n}")
    body_markdown = "Hello from the clinic.\n\nSee [our blog](/blog/)."
