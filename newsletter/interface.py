"""What other apps may use of the newsletter, and what the newsletter takes from them.

- Opting in: the booking form offers the newsletter as a checkbox; whoever ticks it gets the same
  double opt-in as the footer form, with the newsletter's own wording on record.
- Subscription state: the client record shows whether its address gets the newsletter.
- Recent articles: an issue can list what was published since the last one. The newsletter does not
  know the blog; the blog registers itself as a source of ``Article``s. So the arrow runs
  blog → newsletter, never back.
"""

from . import services
from .articles import Article, article_source_register, articles_published_since
from .services import CONSENT_TEXT

OPT_IN_LABEL = f"Send me the clinic's newsletter. {CONSENT_TEXT} I will get an email to confirm first."


def newsletter_opt_in(*, email: str, source_url: str, consent_text: str, ip_address: str | None) -> None:
    """Start a subscription for someone who opted in on another form (``consent_text``: what they ticked)."""
    services.subscription_start(email=email, source_url=source_url, consent_text=consent_text, ip_address=ip_address)


def newsletter_state(email: str) -> str:
    """How the newsletter stands for ``email``, in words for staff ("Confirmed", "Not subscribed" …)."""
    from .models import Subscriber

    if not email:
        return "No email address"
    status = Subscriber.objects.filter(email=email.strip().lower()).values_list("status", flat=True).first()
    return Subscriber.Status(status).label if status else "Not subscribed"


def newsletter_forget(email: str) -> bool:
    """Erase the newsletter's record of ``email`` (a client's erasure request); True when there was one."""
    from .models import Subscriber

    subscriber = Subscriber.objects.filter(email=email.strip().lower()).first() if email else None
    if subscriber is None:
        return False
    services.subscriber_erase(subscriber=subscriber, reason="Client asked the clinic to erase their data")
    return True


__all__ = [
    "CONSENT_TEXT",
    "OPT_IN_LABEL",
    "Article",
    "article_source_register",
    "articles_published_since",
    "newsletter_forget",
    "newsletter_opt_in",
    "newsletter_state",
]
