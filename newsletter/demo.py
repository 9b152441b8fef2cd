"""Demo newsletter: a few subscribers in every state, one issue already sent and one draft."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from core.demo import grant

from .emails import issue_content_render
from .models import Delivery, Issue, Subscriber
from .privacy import ip_hash
from .services import CONSENT_TEXT

SUBSCRIBERS = [
    ("jordan.lee@example.com", Subscriber.Status.CONFIRMED, "/", 60),
    ("priya.nair@example.com", Subscriber.Status.CONFIRMED, "/blog/", 45),
    ("sam.whitaker@example.com", Subscriber.Status.CONFIRMED, "/book/", 30),
    ("lucia.moreno@example.com", Subscriber.Status.PENDING, "/therapists/", 1),
    ("ben.carter@example.com", Subscriber.Status.UNSUBSCRIBED, "/", 90),
]

SENT_ISSUE = {
    "subject": "Winter hours and a stretch for cold mornings",
    "body_markdown": (
        "Hello from all of us at the clinic!\n\n"
        "From December we open at **7:30 on weekdays**, so you can fit a session in before work.\n\n"
        "## A stretch for cold mornings\n\n"
        "Sit tall, clasp your hands behind your back and lift your chest for five slow breaths. "
        "It opens the front of the shoulders that a winter coat and a laptop pull forward.\n\n"
        "[Book your next session](/book/) whenever it suits you."
    ),
}
DRAFT_ISSUE = {
    "subject": "Spring: new hot stone sessions",
    "body_markdown": (
        "Our Birch room now has a second set of basalt stones, so hot stone sessions are available "
        "every day of the week.\n\n"
        "- 75 minutes, warm stones and hands-on work\n"
        "- Gift cards available at the front desk\n\n"
        "Questions? Reply to this email or call us."
    ),
    "include_recent_posts": True,
}

FRONT_DESK_PERMISSIONS = {
    "newsletter": ["view_subscriber", "delete_subscriber", "view_suppression", "view_issue"],
}
EDITOR_PERMISSIONS = {
    "newsletter": [
        "view_subscriber",
        "add_issue",
        "change_issue",
        "view_issue",
        "send_issue",
        "view_delivery",
    ],
}


def seed(*, stdout) -> None:
    # The clinic's owner sees everything the front desk sees (and may so put staff in the Front desk group).
    for group in Group.objects.filter(name__in=["Front desk", "Clinic owner"]):
        grant(group, FRONT_DESK_PERMISSIONS)
    grant(Group.objects.get(name="Editors"), EDITOR_PERMISSIONS)

    now = timezone.now()
    for email, status, path, days_ago in SUBSCRIBERS:
        consented_at = now - timedelta(days=days_ago)
        Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "status": status,
                "consented_at": consented_at,
                "source_url": "http://127.0.0.1:8000" + path,
                "consent_text": CONSENT_TEXT,
                "ip_hash": ip_hash("192.0.2.10"),
                "last_confirmation_sent_at": consented_at,
                "confirmed_at": consented_at + timedelta(minutes=7) if status != Subscriber.Status.PENDING else None,
                "unsubscribed_at": consented_at + timedelta(days=40)
                if status == Subscriber.Status.UNSUBSCRIBED
                else None,
            },
        )

    sent, created = Issue.objects.get_or_create(subject=SENT_ISSUE["subject"], defaults=SENT_ISSUE)
    if created:
        sent.body_html, sent.body_text = issue_content_render(sent)
        sent.status = Issue.Status.SENT
        sent.started_at = now - timedelta(days=20)
        sent.finished_at = sent.started_at + timedelta(minutes=2)
        sent.save()
        readers = Subscriber.objects.filter(email__in=[row[0] for row in SUBSCRIBERS[:3]])
        Delivery.objects.bulk_create(
            [
                Delivery(issue=sent, subscriber=reader, status=Delivery.Status.SENT, sent_at=sent.finished_at)
                for reader in readers
            ]
        )
    Issue.objects.get_or_create(subject=DRAFT_ISSUE["subject"], defaults=DRAFT_ISSUE)
    stdout.write(f"Newsletter: {len(SUBSCRIBERS)} subscribers, one sent issue and one draft.")
