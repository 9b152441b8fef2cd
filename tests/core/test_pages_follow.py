"""Public pages and the fragments kept with them follow the rows they show, however those rows are written."""

import pytest

from blog.models import Tag
from tests.factories import PostFactory, RoomFactory, ServiceFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def test_a_tag_renamed_outside_the_admin_shows_on_its_page_and_the_post_at_once(client):
    post = PostFactory(title="Calves after a run", body="Stretch well. #calves")
    assert "#calves" in client.get("/blog/tag/calves/").content.decode()
    assert "#calves" in client.get(post.get_absolute_url()).content.decode()
    tag = Tag.objects.get(slug="calves")
    tag.name = "CalfCare"
    tag.save()
    assert "#CalfCare" in client.get("/blog/tag/calves/").content.decode()
    assert "CalfCare" in client.get("/blog/").content.decode()  # the sidebar's popular tags


def test_a_service_switched_off_in_the_shell_leaves_the_home_and_booking_pages_at_once(client):
    service = ServiceFactory(name="Hot stones", rooms=[RoomFactory()])
    assert "Hot stones" in client.get("/").content.decode()
    assert "Hot stones" in client.get("/book/").content.decode()
    service.is_active = False
    service.save()
    assert "Hot stones" not in client.get("/").content.decode()
    assert "Hot stones" not in client.get("/book/").content.decode()


def test_a_new_therapist_saved_directly_is_on_the_home_page_at_once(client):
    TherapistFactory(name="Ines Varga")
    assert "Ines Varga" in client.get("/").content.decode()
    TherapistFactory(name="Tomasz Wrona")
    page = client.get("/").content.decode()
    assert "Ines Varga" in page and "Tomasz Wrona" in page


def test_a_category_taken_off_a_post_leaves_its_cached_page_at_once(client):
    from tests.factories import CategoryFactory

    running = CategoryFactory(name="Running", slug="running")
    post = PostFactory(title="Hills", categories=[running])
    assert "Running" in client.get(post.get_absolute_url()).content.decode().split("</header>")[0]
    post.categories.remove(running)
    assert "Running" not in client.get(post.get_absolute_url()).content.decode().split("</header>")[0]
