import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import OutgoingEmail
from newsletter.models import Delivery, Issue, Subscriber, Suppression
from newsletter.privacy import email_hashes
from newsletter.sending import ISSUE_EMAIL, issue_stream
from newsletter.services import CONSENT_TEXT, subscription_start
from tests.factories import IssueFactory, StaffUserFactory, SubscriberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", email="boss@example.com", is_staff=True, is_superuser=True))
    return client


def test_the_issue_list_shows_sent_failed_and_remaining(admin_client, django_assert_max_num_queries):
    subscribers = SubscriberFactory.create_batch(3)
    for _ in range(5):
        issue = IssueFactory(status=Issue.Status.SENDING)
        Delivery.objects.create(issue=issue, subscriber=subscribers[0], status=Delivery.Status.SENT)
        Delivery.objects.create(issue=issue, subscriber=subscribers[1], status=Delivery.Status.FAILED)
        Delivery.objects.create(issue=issue, subscriber=subscribers[2])
    # Nine: the list's own, the two-factor device checks, and the menu asking whether each one-row
    # policy (bookings', the waitlist's) exists yet to offer "Add".
    with django_assert_max_num_queries(9):
        response = admin_client.get(reverse("admin:newsletter_issue_changelist"))
    content = response.content.decode()
    assert '<td class="field-sent_count">1</td>' in content
    assert '<td class="field-failed_count">1</td>' in content
    assert '<td class="field-remaining_count">1</td>' in content


def test_the_subscriber_list_filters_by_status_within_a_query_budget(admin_client, django_assert_max_num_queries):
    SubscriberFactory.create_batch(5)
    SubscriberFactory(email="waiting@example.com", status=Subscriber.Status.PENDING)
    # Eleven: the list's own queries, the staff two-factor device checks (authenticator, backup codes)
    # and the menu asking whether each one-row policy (bookings', the waitlist's) exists yet.
    with django_assert_max_num_queries(11):
        response = admin_client.get(reverse("admin:newsletter_subscriber_changelist"), {"status__exact": "pending"})
    assert response.context["cl"].result_count == 1


def test_the_subscriber_list_searches_by_address(admin_client):
    SubscriberFactory(email="ana@example.com")
    SubscriberFactory(email="bo@example.com")
    response = admin_client.get(reverse("admin:newsletter_subscriber_changelist"), {"q": "ana@"})
    assert [s.email for s in response.context["cl"].result_list] == ["ana@example.com"]


def test_the_preview_renders_the_email_in_the_browser(admin_client):
    issue = IssueFactory(subject="Spring hours", body_markdown="We open **earlier**.")
    response = admin_client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    assert response.status_code == 200
    assert "<strong>earlier</strong>" in response.content.decode()
    assert "Unsubscribe with one click" in response.content.decode()


def test_the_preview_is_for_staff_only(client):
    issue = IssueFactory()
    response = client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_newsletter_permissions_cannot_preview(client):
    client.force_login(StaffUserFactory())
    issue = IssueFactory()
    assert client.get(reverse("admin:newsletter_issue_preview", args=[issue.pk])).status_code == 403


def test_send_a_test_to_me_mails_the_staff_member(admin_client):
    issue = IssueFactory(subject="Spring hours")
    response = admin_client.post(reverse("admin:newsletter_issue_send_test", args=[issue.pk]))
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["boss@example.com"]


def test_staff_who_may_only_edit_issues_cannot_send_them(client):
    editor = StaffUserFactory()
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_issue", "change_issue"]))
    client.force_login(editor)
    issue = IssueFactory()
    assert client.post(reverse("admin:newsletter_issue_send", args=[issue.pk])).status_code == 403
    assert client.post(reverse("admin:newsletter_issue_send_test", args=[issue.pk])).status_code == 403


def test_send_asks_for_confirmation_with_the_audience_size(admin_client):
    SubscriberFactory.create_batch(3)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    issue = IssueFactory()
    response = admin_client.get(reverse("admin:newsletter_issue_send", args=[issue.pk]))
    assert "<strong>3</strong> confirmed subscribers" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_confirming_send_delivers_the_issue(admin_client, django_capture_on_commit_callbacks):
    SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:newsletter_issue_send", args=[issue.pk]))
    assert len(mail.outbox) == 3
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_a_sent_issue_cannot_be_edited(admin_client):
    issue = IssueFactory(status=Issue.Status.SENT, subject="Old news")
    admin_client.post(
        reverse("admin:newsletter_issue_change", args=[issue.pk]),
        {"subject": "Rewritten", "body_markdown": "x"},
    )
    issue.refresh_from_db()
    assert issue.subject == "Old news"


def test_csv_export_lists_the_selected_subscribers_with_consent(admin_client):
    subscriber = SubscriberFactory(email="ana@example.com")
    response = admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": [subscriber.pk]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["email", "status", "consented_at"]
    assert rows[1][0] == "ana@example.com"
    assert rows[1][4] == subscriber.consent_text


def test_erasing_asks_first(admin_client):
    subscriber = SubscriberFactory()
    response = admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "erase_personal_data", "_selected_action": [subscriber.pk]},
    )
    assert "Yes, erase their data" in response.content.decode()
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_erasing_deletes_the_data_and_keeps_only_a_suppression(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscription_start(
            email="ana@example.com", source_url="https://clinic.test/", consent_text=CONSENT_TEXT, ip_address=None
        )
    subscriber = Subscriber.objects.get()
    assert OutgoingEmail.objects.filter(recipients=["ana@example.com"]).exists()
    admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "erase_personal_data", "_selected_action": [subscriber.pk], "confirm": "yes"},
    )
    assert not Subscriber.objects.exists()
    assert not OutgoingEmail.objects.exists()  # the sent confirmation email held the address too
    suppression = Suppression.objects.get()
    assert suppression.email_hash in email_hashes("ana@example.com")
    assert "ana" not in suppression.email_hash


def test_erasing_keeps_past_issues_sent_counts_and_skips_what_was_still_to_go(admin_client):
    ana, bo = SubscriberFactory(email="ana@example.com"), SubscriberFactory(email="bo@example.com")
    past, sending = IssueFactory(subject="March"), IssueFactory(subject="April")
    Delivery.objects.create(issue=past, subscriber=ana, status=Delivery.Status.SENT)
    Delivery.objects.create(issue=past, subscriber=bo, status=Delivery.Status.SENT)
    waiting = Delivery.objects.create(issue=sending, subscriber=ana, status=Delivery.Status.PENDING)
    OutgoingEmail.objects.create(
        kind=ISSUE_EMAIL,
        object_id=waiting.pk,
        stream=issue_stream(sending.pk),
        subject=sending.subject,
        recipients=[],
        payload={},
        next_attempt_at=timezone.now(),
        last_error="SMTPRecipientsRefused: {'ana@example.com': (450, b'mailbox busy')}",
    )
    admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "erase_personal_data", "_selected_action": [ana.pk], "confirm": "yes"},
    )
    assert past.deliveries.filter(status=Delivery.Status.SENT).count() == 2
    assert list(sending.deliveries.values_list("status", "subscriber")) == [(Delivery.Status.SKIPPED, None)]
    assert not OutgoingEmail.objects.filter(last_error__contains="ana@example.com").exists()


def test_an_erased_address_cannot_be_signed_up_again(admin_client, django_capture_on_commit_callbacks):
    subscriber = SubscriberFactory(email="ana@example.com")
    admin_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "erase_personal_data", "_selected_action": [subscriber.pk], "confirm": "yes"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        subscription_start(
            email="Ana@Example.com", source_url="https://clinic.test/", consent_text=CONSENT_TEXT, ip_address=None
        )
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_staff_cannot_add_subscribers_by_hand(admin_client):
    assert admin_client.get(reverse("admin:newsletter_subscriber_add")).status_code == 403


def test_a_draft_offers_preview_test_and_send_buttons(admin_client):
    issue = IssueFactory()
    content = admin_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk])).content.decode()
    assert "Send a test to me" in content
    assert reverse("admin:newsletter_issue_send", args=[issue.pk]) in content
    assert reverse("admin:newsletter_issue_preview", args=[issue.pk]) in content


def test_an_issue_still_sending_offers_resume(admin_client):
    issue = IssueFactory(status=Issue.Status.SENDING)
    content = admin_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk])).content.decode()
    assert "Resume sending" in content
    assert reverse("admin:newsletter_issue_send", args=[issue.pk]) not in content


def test_the_issue_page_shows_progress(admin_client):
    subscribers = SubscriberFactory.create_batch(2)
    issue = IssueFactory(status=Issue.Status.SENDING)
    Delivery.objects.create(issue=issue, subscriber=subscribers[0], status=Delivery.Status.SENT)
    Delivery.objects.create(issue=issue, subscriber=subscribers[1])
    content = admin_client.get(reverse("admin:newsletter_issue_change", args=[issue.pk])).content.decode()
    assert "1 sent · 0 failed · 1 remaining" in content
