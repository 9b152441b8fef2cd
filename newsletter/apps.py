from django.apps import AppConfig

from core import pagecache

from .tokens import form_stamp_make


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        # The footer's subscribe form on every cached page carries a fresh "rendered at" stamp.
        pagecache.fresh_field("stamp", lambda request: form_stamp_make())
