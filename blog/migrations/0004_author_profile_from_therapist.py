"""An author who is a therapist shows the therapist's profile (see ``Author``).

Before the switch, a linked therapist's empty credentials, bio or photo are filled from the author's
copies, so nothing anyone typed stops being shown. Nothing is blanked: the author's copies stay as
they were, and where both were filled in, the therapist's own text wins from now on.
"""

import django.db.models.deletion
from django.db import migrations, models

OWN_PROFILE_HELP = "Shown only while no therapist is linked: a therapist's own profile is shown instead."
SHARED_FIELDS = ("credentials", "bio", "photo")


def fill_therapist_blanks_from_author(apps, schema_editor):
    Author = apps.get_model("blog", "Author")
    Therapist = apps.get_model("bookings", "Therapist")
    for author in Author.objects.filter(therapist__isnull=False).values("therapist_id", *SHARED_FIELDS):
        therapist = Therapist.objects.filter(pk=author["therapist_id"])
        current = therapist.values(*SHARED_FIELDS).get()
        filled = {
            field: author[field]
            for field in SHARED_FIELDS
            if not (current[field] or "").strip() and (author[field] or "").strip()
        }
        if filled:
            therapist.update(**filled)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0003_post_search_document"),
        ("bookings", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="author",
            name="name",
            field=models.CharField(help_text=OWN_PROFILE_HELP, max_length=120),
        ),
        migrations.AlterField(
            model_name="author",
            name="credentials",
            field=models.CharField(
                blank=True, help_text=f'Shown after the name, e.g. "LMT, E-RYT 500". {OWN_PROFILE_HELP}', max_length=120
            ),
        ),
        migrations.AlterField(
            model_name="author",
            name="bio",
            field=models.TextField(blank=True, help_text=OWN_PROFILE_HELP),
        ),
        migrations.AlterField(
            model_name="author",
            name="photo",
            field=models.ImageField(blank=True, help_text=OWN_PROFILE_HELP, upload_to="blog/authors/"),
        ),
        migrations.AlterField(
            model_name="author",
            name="therapist",
            field=models.OneToOneField(
                blank=True,
                help_text="When the author is one of our therapists, the blog shows the therapist's profile and posts invite readers to book with them.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="blog_author",
                to="bookings.therapist",
            ),
        ),
        migrations.RunPython(fill_therapist_blanks_from_author, migrations.RunPython.noop),
    ]
