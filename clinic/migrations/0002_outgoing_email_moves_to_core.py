"""OutgoingEmail now belongs to core (core/migrations/0001); the table stays where it is until core renames it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_outgoing_email"), ("core", "0001_outgoing_email_from_clinic")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="OutgoingEmail")]),
    ]
