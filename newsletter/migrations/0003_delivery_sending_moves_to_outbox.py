"""Deliveries stop keeping their own attempts, retry time and last error: the outbox sends every issue now.

An issue in the middle of sending carries on after the upgrade: each pending delivery gets its
outbox email (kind ``newsletter.issue``) with its attempts, next attempt and last error, and each
failed delivery keeps the mail server's answer as a failed outbox email that staff can still read.
"""

from django.db import migrations
from django.utils import timezone

ISSUE_EMAIL = "newsletter.issue"
PAGE = 2000


def _pages(queryset):
    last_pk = 0
    while True:
        page = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:PAGE])
        if not page:
            return
        yield page
        last_pk = page[-1].pk


def move_sending_state_to_outbox(apps, schema_editor):
    Delivery = apps.get_model("newsletter", "Delivery")
    OutgoingEmail = apps.get_model("core", "OutgoingEmail")
    now = timezone.now()
    waiting = Delivery.objects.filter(status__in=["pending", "failed"]).select_related("issue")
    for page in _pages(waiting):
        OutgoingEmail.objects.bulk_create(
            [
                OutgoingEmail(
                    reference=f"newsletter issue {delivery.issue_id}",
                    kind=ISSUE_EMAIL,
                    object_id=delivery.pk,
                    stream=f"{ISSUE_EMAIL}:{delivery.issue_id}",
                    subject=delivery.issue.subject,
                    recipients=[],
                    payload={},
                    status=delivery.status,
                    attempts=delivery.attempts,
                    next_attempt_at=delivery.next_attempt_at or delivery.issue.started_at or now,
                    last_error=delivery.last_error[:500],
                )
                for delivery in page
            ]
        )


def move_sending_state_back(apps, schema_editor):
    Delivery = apps.get_model("newsletter", "Delivery")
    OutgoingEmail = apps.get_model("core", "OutgoingEmail")
    emails = OutgoingEmail.objects.filter(kind=ISSUE_EMAIL)
    for page in _pages(emails):
        deliveries = Delivery.objects.in_bulk([email.object_id for email in page])
        for email in page:
            delivery = deliveries.get(email.object_id)
            if delivery is not None:
                delivery.attempts = email.attempts
                delivery.last_error = email.last_error
                delivery.next_attempt_at = email.next_attempt_at if email.status == "pending" else None
        Delivery.objects.bulk_update(deliveries.values(), ["attempts", "last_error", "next_attempt_at"])
    emails.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0002_delivery_keeps_erased_subscribers"),
        ("core", "0002_outgoing_email_bulk_mail"),
    ]

    operations = [
        migrations.RunPython(move_sending_state_to_outbox, move_sending_state_back),
        migrations.RemoveField(model_name="delivery", name="attempts"),
        migrations.RemoveField(model_name="delivery", name="last_error"),
        migrations.RemoveField(model_name="delivery", name="next_attempt_at"),
    ]
