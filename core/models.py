from django.db import models
from django.db.models import Q


class OutgoingEmail(models.Model):
    """One email the site promised to send, written in the same transaction as the change it reports.

    Every message goes through here (see core/outbox.py): booking mail, reminders, newsletter
    confirmations, test sends and each reader's copy of a newsletter issue. The row is the source
    of truth for delivery: a change that committed always has its emails here, whatever happens to
    the mail server or the worker afterwards.

    A row either carries its message (``payload``) or, for bulk mail, names a ``kind`` and the
    ``object_id`` its registered renderer builds the message from at send time, so a send to
    100,000 readers does not store 100,000 copies of the body. ``(kind, object_id)`` is unique:
    one thing is emailed once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"
        CANCELLED = "cancelled", "Cancelled (no longer wanted)"

    reference = models.CharField(max_length=120, help_text='What the email is about, e.g. "appointment 42: booked".')
    kind = models.CharField(
        max_length=64,
        blank=True,
        help_text="Blank when the message is stored in payload; otherwise the renderer that builds it at send time.",
    )
    object_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="What the renderer builds the message from, e.g. a newsletter delivery."
    )
    stream = models.CharField(
        max_length=64,
        blank=True,
        help_text="Bulk mail sent in batches at its own pace, e.g. one newsletter issue. Blank: sent as soon as queued.",
    )
    subject = models.CharField(max_length=998)
    recipients = models.JSONField(help_text="The To addresses (empty when the renderer supplies them).")
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
            # Claims read a stream's due rows in this order (core.mailsending); the sweeper reads stream "".
            models.Index(
                fields=["stream", "next_attempt_at", "id"],
                name="outgoing_email_pending",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["stream", "lease_until"], name="outgoing_email_sending", condition=Q(status="sending")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outgoing_email_sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False), name="outgoing_email_sending_has_lease"
            ),
            models.CheckConstraint(
                condition=Q(kind="", object_id__isnull=True) | (~Q(kind="") & Q(object_id__isnull=False)),
                name="outgoing_email_rendered_has_object",
            ),
            models.UniqueConstraint(
                fields=["kind", "object_id"], condition=~Q(kind=""), name="outgoing_email_once_per_object"
            ),
        ]

    def __str__(self):
        return f"{self.subject} ({self.get_status_display().lower()})"
