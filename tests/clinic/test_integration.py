"""Where the apps meet: booking opt-in → newsletter, blog → newsletter issue, blog → booking links."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from bookings.services import ClientDetails, NewsletterOptIn, appointment_book
from newsletter.emails import issue_content_render
from newsletter.models import Subscriber
from tests.factories import AuthorFactory, IssueFactory, PostFactory, TherapistFactory, clinic_with_hours

NEW_YORK = ZoneInfo("America/New_York")


def book(capture_on_commit, *, email: str, newsletter: NewsletterOptIn | None) -> None:
    service, (therapist,), _ = clinic_with_hours()
    with capture_on_commit(execute=True):
        appointment_book(
            service=service,
            therapist=therapist,
            starts_at=datetime(2026, 3, 4, 10, 0, tzinfo=NEW_YORK),
            client=ClientDetails(name="Ana Silva", email=email, phone="617 555 0100", consent=True),
            newsletter=newsletter,
        )


@time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=NEW_YORK), tick=False)
def test_booking_with_the_newsletter_box_ticked_starts_the_double_opt_in(db, django_capture_on_commit_callbacks):
    opt_in = NewsletterOptIn(source_url="https://clinic.test/book/", consent_text="Send me the newsletter.")
    book(django_capture_on_commit_callbacks, email="Ana@Example.com", newsletter=opt_in)
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "ana@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_text == "Send me the newsletter."
    confirmations = [m for m in mail.outbox if m.to[0].lower() == "ana@example.com" and "confirm" in m.subject.lower()]
    assert len(confirmations) == 1


@time_machine.travel(datetime(2026, 3, 2, 8, 0, tzinfo=NEW_YORK), tick=False)
def test_booking_without_the_box_ticked_subscribes_no_one(db, django_capture_on_commit_callbacks):
    book(django_capture_on_commit_callbacks, email="ana@example.com", newsletter=None)
    assert not Subscriber.objects.exists()


def test_an_issue_that_includes_recent_posts_lists_only_published_ones(db):
    PostFactory(title="Stretching after a long run")
    PostFactory(title="Not out yet", publish_at=datetime.now(tz=NEW_YORK) + timedelta(days=3))
    html, text = issue_content_render(IssueFactory(include_recent_posts=True))
    assert "Stretching after a long run" in html and "Stretching after a long run" in text
    assert "Not out yet" not in html


def test_a_post_by_a_therapist_invites_readers_to_book_with_them(client, db):
    therapist = TherapistFactory(name="Maya Okafor", slug="maya-okafor")
    post = PostFactory(author=AuthorFactory(name="Maya Okafor", therapist=therapist))
    content = client.get(post.get_absolute_url()).content.decode()
    assert "/book/?therapist=maya-okafor" in content
    assert 'action="/newsletter/subscribe/"' in content
