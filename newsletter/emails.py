"""The emails the newsletter sends: the confirmation request and the issues themselves."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.markdown import render_email
from core.site import clinic_details

from .articles import articles_published_since
from .models import Issue, Subscriber
from .tokens import confirm_token_make, unsubscribe_token_make


def confirm_url(subscriber: Subscriber) -> str:
    token = confirm_token_make(subscriber_token=subscriber.token)
    return settings.SITE_URL + reverse("newsletter:confirm", kwargs={"token": token})


def unsubscribe_url(subscriber_token: str) -> str:
    token = unsubscribe_token_make(subscriber_token=subscriber_token)
    return settings.SITE_URL + reverse("newsletter:unsubscribe", kwargs={"token": token})


def confirmation_email_build(subscriber: Subscriber) -> EmailMultiAlternatives:
    context = {
        "clinic": clinic_details(),
        "confirm_url": confirm_url(subscriber),
        "valid_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_SECONDS // 86400,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=f"Please confirm your subscription to the {settings.CLINIC_NAME} newsletter",
        body=render_to_string("newsletter/email/confirm.txt", context),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("newsletter/email/confirm.html", context), "text/html")
    return message


def _posts_since_last_issue(issue: Issue) -> list:
    """Articles published since the previous issue started sending (or the last 30 days for the first issue)."""
    previous = (
        Issue.objects.exclude(pk=issue.pk)
        .filter(started_at__isnull=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    since = previous or timezone.now() - timedelta(days=30)
    return articles_published_since(since)


def issue_content_render(issue: Issue) -> tuple[str, str]:
    """The body of an issue as (HTML, plain text), recent posts included when asked for.

    Rendered once when sending starts and stored on the issue, so every subscriber gets the same
    content however long the send takes.
    """
    posts = _posts_since_last_issue(issue) if issue.include_recent_posts else []
    context = {
        "body_html": render_email(issue.body_markdown, site_url=settings.SITE_URL),
        "body_text": issue.body_markdown,
        "posts": posts,
    }
    return (
        render_to_string("newsletter/email/_issue_body.html", context),
        render_to_string("newsletter/email/_issue_body.txt", context),
    )


def issue_email_build(
    *, subject: str, body_html: str, body_text: str, to: str, subscriber_token: str
) -> EmailMultiAlternatives:
    """One issue for one reader, with their personal unsubscribe link and the bulk-mail headers."""
    link = unsubscribe_url(subscriber_token)
    context = {
        "subject": subject,
        "body_html": body_html,
        "body_text": body_text,
        "unsubscribe_url": link,
        "clinic": clinic_details(),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("newsletter/email/issue.txt", context),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{link}>",
            # RFC 8058: mail clients may POST "List-Unsubscribe=One-Click" to the link above.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("newsletter/email/issue.html", context), "text/html")
    return message
