import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from blog.markup import render as blog_render
from core.markdown import render_email
from newsletter.emails import issue_content_render
from newsletter.models import Subscriber
from newsletter.sending import issue_send_start
from tests.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_message(django_capture_on_commit_callbacks):
    SubscriberFactory(email="reader@example.com")
    issue = IssueFactory(subject="Spring hours", body_markdown="We open **earlier** now. See [our hours](/book/).")
    with django_capture_on_commit_callbacks(execute=True):
        issue_send_start(issue=issue)
    [message] = mail.outbox
    return message


def test_an_issue_email_carries_the_one_click_unsubscribe_headers(sent_message):
    assert re.fullmatch(
        r"<https://clinic\.test/newsletter/unsubscribe/[^/>]+/>", sent_message.extra_headers["List-Unsubscribe"]
    )
    assert sent_message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_issue_email_carries_bulk_mail_headers(sent_message):
    assert sent_message.extra_headers["Precedence"] == "bulk"
    assert sent_message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_an_issue_email_is_html_and_plain_text_with_absolute_links_and_the_clinic_address(sent_message, settings):
    html = sent_message.alternatives[0][0]
    assert sent_message.alternatives[0][1] == "text/html"
    assert '<a href="https://clinic.test/book/"' in html
    assert "<strong>earlier</strong>" in html
    assert settings.CLINIC_ADDRESS in html
    assert settings.CLINIC_ADDRESS in sent_message.body
    assert "We open **earlier** now." in sent_message.body
    unsubscribe = sent_message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in html
    assert unsubscribe in sent_message.body


def test_the_unsubscribe_link_in_the_email_works_as_a_one_click_post(sent_message):
    path = sent_message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("https://clinic.test")
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_markdown_is_rendered_without_scripts_handlers_or_javascript_links():
    html = render_email(
        '<script>alert(1)</script><img src=x onerror="alert(1)"> [click](javascript:alert(1)) <b onclick="x()">bold</b>',
        site_url="https://clinic.test",
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<b>bold</b>" in html


def test_recent_posts_are_included_when_asked(monkeypatch):
    calls = []
    post = SimpleNamespace(
        title="Five stretches for desk workers",
        excerpt="Small moves that add up.",
        publish_at=datetime(2026, 3, 2, tzinfo=UTC),
        get_absolute_url=lambda: "/blog/five-stretches/",
    )

    def posts_published_since(since):
        calls.append(since)
        return [post]

    monkeypatch.setattr("blog.selectors.posts_published_since", posts_published_since, raising=False)
    previous = IssueFactory(status="sent", started_at=timezone.now() - timezone.timedelta(days=20))
    html, text = issue_content_render(IssueFactory(include_recent_posts=True))
    assert calls == [previous.started_at]
    assert '<a href="https://clinic.test/blog/five-stretches/"' in html
    assert "Five stretches for desk workers" in text
    assert "https://clinic.test/blog/five-stretches/" in text


def test_recent_posts_are_left_out_unless_asked(monkeypatch):
    monkeypatch.setattr("blog.selectors.posts_published_since", lambda since: 1 / 0, raising=False)
    html, _ = issue_content_render(IssueFactory(include_recent_posts=False))
    assert "New on our blog" not in html


def test_the_confirmation_email_is_html_and_text_and_says_how_long_the_link_lasts(django_capture_on_commit_callbacks):
    from newsletter.services import CONSENT_TEXT, subscription_start

    with django_capture_on_commit_callbacks(execute=True):
        subscription_start(
            email="new@example.com", source_url="https://clinic.test/", consent_text=CONSENT_TEXT, ip_address=None
        )
    [message] = mail.outbox
    assert "7 days" in message.body
    assert "Confirm my subscription" in message.alternatives[0][0]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_an_issue_body_renders_like_a_blog_post_shaped_for_an_email():
    body = (
        "# Spring news\n\n"
        "New hours on [the booking page](/book/). #RunnersHealth\n"
        "https://youtu.be/abcDEF12345\n\n"
        "| Day | Hours |\n| --- | --- |\n| Sat | 8-12 |\n\n"
        "![Our new room](/media/room.jpg)"
    )
    html = render_email(body, site_url="https://clinic.test")
    post_html = blog_render(body).html
    assert "<h2>Spring news</h2>" in html and "<h2>Spring news</h2>" in post_html  # the same Markdown
    assert "<table>" in html and "<table>" in post_html
    assert '<a href="https://clinic.test/book/"' in html
    assert "#RunnersHealth</p>" in html and "/blog/tag/" not in html  # a tag page may not outlive the email
    assert '<img alt="Our new room" src="https://clinic.test/media/room.jpg">' in html
    assert '<a href="https://www.youtube.com/watch?v=abcDEF12345">Watch the video on YouTube</a>' in html
    assert "video-facade" not in html and "<button" not in html
