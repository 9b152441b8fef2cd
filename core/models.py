from django.db import models
from django.db.models import Q


class OutgoingEmail(models.Model):
    """One email waiting to go out, written in the same transaction as the change it reports.

    The row is the source of truth for delivery (see core/outbox.py): a booking that committed
    always has its emails here, whatever happens to the mail server or the worker afterwards.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    reference = models.CharField(max_length=120, help_text='What the email is about, e.g. "appointment 42: booked".')
    subject = models.CharField(max_length=998)
    recipients = models.JSONField(help_text="The To addresses.")
    payload = models.JSONField(help_text="The rest of the message: body, HTML alternative, attachments, headers.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="When a pending email is next due.")
    lease_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While sending: the worker's claim. Past it, the worker is presumed dead and the email is due again.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outgoing_email_pending",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["lease_until"], name="outgoing_email_sending", condition=Q(status="sending")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outgoing_email_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False), name="outgoing_email_sending_has_lease"
            ),
        ]

    def __str__(self):
        return f"{self.subject} ({self.get_status_display().lower()})"
