"""Bulk mail in the outbox: rows built at send time by a registered renderer (kind, object_id), sent per stream."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0001_outgoing_email_from_clinic")]

    operations = [
        migrations.RemoveIndex(model_name="outgoingemail", name="outgoing_email_pending"),
        migrations.RemoveIndex(model_name="outgoingemail", name="outgoing_email_sending"),
        migrations.AddField(
            model_name="outgoingemail",
            name="kind",
            field=models.CharField(
                blank=True,
                help_text="Blank when the message is stored in payload; otherwise the renderer that builds it at send time.",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="object_id",
            field=models.PositiveBigIntegerField(
                blank=True,
                help_text="What the renderer builds the message from, e.g. a newsletter delivery.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="stream",
            field=models.CharField(
                blank=True,
                help_text="Bulk mail sent in batches at its own pace, e.g. one newsletter issue. Blank: sent as soon as queued.",
                max_length=64,
            ),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="recipients",
            field=models.JSONField(help_text="The To addresses (empty when the renderer supplies them)."),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting to be sent"),
                    ("sending", "Being sent"),
                    ("sent", "Sent"),
                    ("failed", "Failed (gave up)"),
                    ("cancelled", "Cancelled (no longer wanted)"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.AddIndex(
            model_name="outgoingemail",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["stream", "next_attempt_at", "id"],
                name="outgoing_email_pending",
            ),
        ),
        migrations.AddIndex(
            model_name="outgoingemail",
            index=models.Index(
                condition=models.Q(("status", "sending")),
                fields=["stream", "lease_until"],
                name="outgoing_email_sending",
            ),
        ),
        migrations.AddConstraint(
            model_name="outgoingemail",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", ""), ("object_id__isnull", True)),
                    models.Q(models.Q(("kind", ""), _negated=True), ("object_id__isnull", False)),
                    _connector="OR",
                ),
                name="outgoing_email_rendered_has_object",
            ),
        ),
        migrations.AddConstraint(
            model_name="outgoingemail",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", ""), _negated=True),
                fields=("kind", "object_id"),
                name="outgoing_email_once_per_object",
            ),
        ),
    ]
