"""OutgoingEmail moves from the clinic app to core: the table is kept, only Django's record of it moves."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("clinic", "0001_outgoing_email")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("reference", models.CharField(help_text='What the email is about, e.g. "appointment 42: booked".', max_length=120)),
                        ("subject", models.CharField(max_length=998)),
                        ("recipients", models.JSONField(help_text="The To addresses.")),
                        ("payload", models.JSONField(help_text="The rest of the message: body, HTML alternative, attachments, headers.")),
                        ("status", models.CharField(choices=[("pending", "Waiting to be sent"), ("sending", "Being sent"), ("sent", "Sent"), ("failed", "Failed (gave up)")], default="pending", max_length=16)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(help_text="When a pending email is next due.")),
                        ("lease_until", models.DateTimeField(blank=True, help_text="While sending: the worker's claim. Past it, the worker is presumed dead and the email is due again.", null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name": "outgoing email",
                        "ordering": ["-created_at"],
                        "db_table": "clinic_outgoingemail",
                        "indexes": [
                            models.Index(condition=models.Q(("status", "pending")), fields=["next_attempt_at"], name="outgoing_email_pending"),
                            models.Index(condition=models.Q(("status", "sending")), fields=["lease_until"], name="outgoing_email_sending"),
                        ],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(models.Q(("status", "sent"), _negated=True), ("sent_at__isnull", False), _connector="OR"), name="outgoing_email_sent_has_time"),
                            models.CheckConstraint(condition=models.Q(models.Q(("status", "sending"), _negated=True), ("lease_until__isnull", False), _connector="OR"), name="outgoing_email_sending_has_lease"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="outgoingemail", table=None),
    ]
