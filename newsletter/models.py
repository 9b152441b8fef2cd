import secrets

from django.db import models
from django.db.models.functions import Lower


def new_subscriber_token() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """One address on the list, with the record of the consent it gave.

    ``token`` is random and says nothing about the person: the links we email carry it,
    signed, instead of the address or the primary key.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254, unique=True, help_text="Stored in lower case.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    token = models.CharField(max_length=64, unique=True, default=new_subscriber_token, editable=False)
    consented_at = models.DateTimeField(help_text="When the person last asked to subscribe.")
    source_url = models.URLField(max_length=500, blank=True, help_text="The page the request came from.")
    consent_text = models.TextField(help_text="The consent statement shown next to the form.")
    ip_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash (HMAC with the site's secret) of the requester's IP."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    last_confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("export_subscriber", "Can export the subscriber list")]
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="newsletter_subscriber_email_lower"),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | models.Q(confirmed_at__isnull=False),
                name="newsletter_subscriber_confirmed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="newsletter_sub_status_id")]

    def __str__(self):
        return self.email


class Suppression(models.Model):
    """An address that must never be mailed again, kept as a keyed hash after its data was erased."""

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Suppressed address {self.email_hash[:12]}…"


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    subject = models.CharField(max_length=200)
    body_markdown = models.TextField("body", help_text="Markdown. Links to our own pages may start with /.")
    include_recent_posts = models.BooleanField("include posts published since the last issue", default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT, editable=False)
    body_html = models.TextField(blank=True, editable=False, help_text="The rendered body, fixed when sending starts.")
    body_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("send_issue", "Can send newsletter issues")]

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    """One issue to one subscriber: the audience record that makes sending exactly-once.

    Exactly one per subscriber per issue. Its email is an ``OutgoingEmail`` of kind
    ``newsletter.issue`` whose ``object_id`` is this delivery (see newsletter/sending.py): attempts,
    retries and the mail server's last error live there, in the outbox with every other email.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed meanwhile)"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    # Erasing a subscriber keeps their deliveries without them, so an issue's sent count stays true.
    subscriber = models.ForeignKey(Subscriber, on_delete=models.SET_NULL, null=True, related_name="deliveries")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_delivery_once_per_issue"),
        ]
        indexes = [models.Index(fields=["issue", "status", "id"], name="newsletter_delivery_queue")]

    def __str__(self):
        return f"{self.issue} → {self.subscriber_id}"


class SubscribeRequest(models.Model):
    """A subscribe form someone sent, waiting for the worker (``subscription_requests_process``).

    The web request only writes this row, the same for every address, so neither its answer nor its
    time can tell a new address from a confirmed, pending or erased one. The worker turns it into a
    subscription (or nothing) and deletes it.
    """

    email = models.EmailField(max_length=254)
    source_url = models.CharField(max_length=500, blank=True)
    consent_text = models.TextField()
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Subscribe request {self.pk}"
