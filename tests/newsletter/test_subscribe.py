import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from newsletter.models import Subscriber, Suppression
from newsletter.privacy import email_hashes, ip_hash
from newsletter.services import CONSENT_TEXT, subscription_start
from tests.factories import SubscriberFactory

from .conftest import stamp_from

pytestmark = pytest.mark.django_db


def start(email="reader@example.com", **overrides):
    arguments = {
        "email": email,
        "source_url": "https://clinic.test/blog/",
        "consent_text": CONSENT_TEXT,
        "ip_address": "203.0.113.9",
        **overrides,
    }
    subscription_start(**arguments)


def test_a_new_address_is_stored_pending_with_its_consent_record(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start("  Reader@Example.COM ")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.source_url == "https://clinic.test/blog/"
    assert subscriber.consent_text == CONSENT_TEXT
    assert subscriber.consented_at is not None
    assert subscriber.ip_hash == ip_hash("203.0.113.9")
    assert "203.0.113.9" not in subscriber.ip_hash


def test_a_new_address_gets_a_confirmation_email_with_a_link(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start()
    [message] = mail.outbox
    assert message.to == ["reader@example.com"]
    assert "https://clinic.test/newsletter/confirm/" in message.body
    assert "https://clinic.test/newsletter/confirm/" in message.alternatives[0][0]
    assert "reader" not in message.body.split("/newsletter/confirm/")[1].split()[0]


def test_the_confirmation_email_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start()
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_asking_again_within_ten_minutes_sends_no_second_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start()
        with time_machine.travel(timezone.now() + timezone.timedelta(minutes=9)):
            start()
    assert len(mail.outbox) == 1


def test_asking_again_after_ten_minutes_sends_a_fresh_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start()
    later = timezone.now() + timezone.timedelta(minutes=11)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        start()
    assert len(mail.outbox) == 2


def test_asking_again_updates_the_consent_record(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start()
        start(source_url="https://clinic.test/book/", ip_address="198.51.100.1")
    subscriber = Subscriber.objects.get()
    assert subscriber.source_url == "https://clinic.test/book/"
    assert subscriber.ip_hash == ip_hash("198.51.100.1")


def test_a_confirmed_address_is_left_alone_and_not_mailed(django_capture_on_commit_callbacks):
    subscriber = SubscriberFactory(email="reader@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        start()
    assert mail.outbox == []
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_an_unsubscribed_address_stays_unsubscribed_until_it_confirms_again(django_capture_on_commit_callbacks):
    SubscriberFactory(email="reader@example.com", status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        start()
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
    assert len(mail.outbox) == 1


def test_a_suppressed_address_is_never_stored_or_mailed(django_capture_on_commit_callbacks):
    Suppression.objects.create(email_hash=email_hashes("reader@example.com")[0])
    with django_capture_on_commit_callbacks(execute=True):
        start("READER@example.com")
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_a_suppression_survives_a_secret_key_rotation(settings, django_capture_on_commit_callbacks):
    Suppression.objects.create(email_hash=email_hashes("reader@example.com")[0])
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-that-is-long-enough-for-the-checks-1234567890"
    with django_capture_on_commit_callbacks(execute=True):
        start()
    assert not Subscriber.objects.exists()


# --- the endpoint ---


def test_the_page_answer_is_identical_for_new_pending_confirmed_and_unsubscribed_addresses(subscribe):
    SubscriberFactory(email="pending@example.com", status=Subscriber.Status.PENDING)
    SubscriberFactory(email="confirmed@example.com")
    SubscriberFactory(email="gone@example.com", status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    Suppression.objects.create(email_hash=email_hashes("erased@example.com")[0])
    emails = [
        "new@example.com",
        "pending@example.com",
        "confirmed@example.com",
        "gone@example.com",
        "erased@example.com",
    ]
    responses = [subscribe(email) for email in emails]
    assert {(response.status_code, response["Location"], response.content) for response in responses} == {
        (303, "/newsletter/subscribe/sent/", b"")
    }


def test_the_json_answer_is_identical_for_every_address_state(subscribe):
    SubscriberFactory(email="confirmed@example.com")
    SubscriberFactory(email="pending@example.com", status=Subscriber.Status.PENDING)
    answers = [
        subscribe(email, json=True) for email in ["new@example.com", "confirmed@example.com", "pending@example.com"]
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert [answer.json() for answer in answers] == [
        {"ok": True, "message": "Almost there — check your inbox to confirm"}
    ] * 3


def test_the_endpoint_answers_json_when_the_widget_sends_x_requested_with(client, django_capture_on_commit_callbacks):
    data = {"email": "reader@example.com", "stamp": stamp_from(10)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/newsletter/subscribe/", data, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response["Content-Type"] == "application/json"
    assert response.json()["ok"] is True


def test_subscribing_from_the_form_records_the_page_it_was_on(subscribe):
    subscribe(source="/blog/stretching-at-your-desk/")
    assert Subscriber.objects.get().source_url == "https://clinic.test/blog/stretching-at-your-desk/"


def test_a_foreign_source_url_is_not_recorded(subscribe):
    subscribe(source="https://evil.example/phish")
    assert Subscriber.objects.get().source_url == "https://clinic.test/"


def test_an_invalid_address_gets_a_specific_error_and_keeps_what_was_typed(subscribe):
    response = subscribe("reader@")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a complete email address, like name@example.com." in content
    assert 'value="reader@"' in content
    assert not Subscriber.objects.exists()


def test_an_invalid_address_gets_a_json_error_for_the_widget(subscribe):
    response = subscribe("", json=True)
    assert response.status_code == 400
    assert response.json()["message"] == "Enter your email address."


def test_a_sign_up_without_javascript_lands_on_a_check_your_inbox_page_that_can_be_reloaded(client, subscribe):
    response = subscribe()
    assert (response.status_code, response["Location"]) == (303, "/newsletter/subscribe/sent/")
    for _ in range(2):  # the answer, then a reload of it
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "<h1>Almost there — check your inbox to confirm</h1>" in page.content.decode()
    assert Subscriber.objects.count() == 1


def test_opening_the_subscribe_address_shows_the_form_instead_of_an_error(client):
    response = client.get("/newsletter/subscribe/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Subscribe to our newsletter</h1>" in content and 'id="subscribe-page-email"' in content
    assert "try again" not in content


def test_the_footer_heading_reads_like_the_subscribe_page(client):
    content = client.get("/").content.decode()
    assert '<h2 class="h5" id="subscribe-footer-heading">Subscribe to our newsletter</h2>' in content


def test_a_filled_honeypot_looks_like_success_but_does_nothing(subscribe):
    response = subscribe(website="https://spam.example", json=True)
    assert response.json()["ok"] is True
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_a_form_submitted_faster_than_a_person_can_type_does_nothing(subscribe):
    response = subscribe(stamp=stamp_from(0.2), json=True)
    assert response.json()["ok"] is True
    assert not Subscriber.objects.exists()


def test_a_forged_form_stamp_does_nothing(subscribe):
    response = subscribe(stamp="1700000000.0:forged")
    assert response.status_code == 303
    assert not Subscriber.objects.exists()


def test_too_many_requests_from_one_ip_get_a_429_page(subscribe, rate_limit):
    rate_limit("newsletter:subscribe", 3)
    statuses = [subscribe(f"reader{n}@example.com").status_code for n in range(4)]
    assert statuses == [303, 303, 303, 429]
    assert Subscriber.objects.count() == 3


def test_the_429_json_answer_explains_what_to_do(subscribe, rate_limit):
    rate_limit("newsletter:subscribe", 1)
    subscribe(json=True)
    response = subscribe(json=True)
    assert response.status_code == 429
    assert "wait a few minutes" in response.json()["message"]


def test_the_rate_limit_is_per_ip(subscribe, rate_limit):
    rate_limit("newsletter:subscribe", 1)
    subscribe(ip="203.0.113.1")
    assert subscribe(ip="203.0.113.2").status_code == 303


def test_every_page_has_the_footer_form_with_a_label_consent_and_live_region(client):
    content = client.get("/").content.decode()
    assert 'id="subscribe-footer-email"' in content
    assert 'type="email"' in content
    assert 'autocomplete="email"' in content
    assert '<label class="form-label" for="subscribe-footer-email">' in content
    assert CONSENT_TEXT.replace("'", "&#x27;") in content
    assert 'id="subscribe-footer-status" role="status" aria-live="polite"' in content
    assert "newsletter/js/subscribe.js" in content


def test_the_form_can_be_included_twice_with_unique_ids(rf):
    from django.template import Context, Template

    request = rf.get("/blog/post/")
    html = Template(
        '{% include "newsletter/_subscribe_form.html" with form_id="footer" %}'
        '{% include "newsletter/_subscribe_form.html" with form_id="post" %}'
    ).render(Context({"request": request}))
    assert 'id="subscribe-post-email"' in html
    assert 'id="subscribe-footer-email"' in html
