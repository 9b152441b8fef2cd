from django.core.management.base import BaseCommand, CommandError

from clinic.stylesheet import BASE_DIR, StylesheetBuildError, stylesheet_write


class Command(BaseCommand):
    help = "Compile clinic/sass/bootstrap.scss (the part of Bootstrap the site uses) into clinic/static/clinic/css/."

    def handle(self, *args, **options):
        try:
            path = stylesheet_write()
        except StylesheetBuildError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Wrote {path.relative_to(BASE_DIR)} ({path.stat().st_size:,} bytes); commit it.")
