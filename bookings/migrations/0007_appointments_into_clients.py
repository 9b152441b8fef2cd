from django.db import migrations


def forwards(apps, schema_editor):
    from bookings.clientlinks import appointments_into_clients

    appointments_into_clients(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0006_appointment_client"),
        ("clients", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
