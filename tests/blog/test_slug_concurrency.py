"""Editors save posts with the same title at the same moment, each on its own connection.

As for bookings (tests/bookings/test_concurrency.py), a control first shows the race is real: on
PostgreSQL, with the retry switched off, saves that looked up a free slug before another committed
it are refused by the unique index. With the retry every save lands, each under its own address.
On SQLite every write transaction takes the database's one write lock at BEGIN, so there is no race
to show, and only the outcome is checked.
"""

import pytest
from django.db import IntegrityError, connection

from blog import services
from blog.models import Post, Tag
from tests.bookings.test_concurrency import run_together
from tests.factories import AuthorFactory

THREADS = 8


def save_same_title(author):
    def work(index, barrier):
        post = Post(
            title="Same title", slug="same-title", author=author, body="Same words. #balance", status="published"
        )
        return services.post_write(post=post).slug

    return work


@pytest.mark.django_db(transaction=True)
def test_posts_saved_together_under_one_title_each_get_their_own_address():
    author = AuthorFactory()
    outcomes = run_together(save_same_title(author), count=THREADS)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert sorted(outcomes) == sorted(["same-title", *(f"same-title-{n}" for n in range(2, THREADS + 1))])
    assert Post.objects.count() == THREADS
    assert Tag.objects.filter(slug="balance").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises write transactions")
def test_control_without_the_retry_saves_that_lose_the_race_are_refused(monkeypatch):
    monkeypatch.setattr(services, "SLUG_TRIES", 1)
    author = AuthorFactory()
    outcomes = run_together(save_same_title(author), count=THREADS)
    assert any(isinstance(outcome, IntegrityError) for outcome in outcomes), outcomes


@pytest.mark.django_db(transaction=True)
def test_posts_saved_together_with_the_same_new_hashtag_share_one_tag():
    author = AuthorFactory()

    def work(index, barrier):
        post = Post(title=f"Post {index}", author=author, body="New this week. #stillness", status="published")
        return services.post_write(post=post).slug

    outcomes = run_together(work, count=THREADS)
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert Tag.objects.filter(slug="stillness").count() == 1
    assert Post.objects.filter(tags__slug="stillness").count() == THREADS
