"""Everyone without a photo gets the drawn-initials portrait, at the photo's size, wherever portraits are shown."""

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template

from core.demo import portrait_placeholder
from core.portraits import gradient_stops, initials
from tests.factories import AuthorFactory, PostFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def render(text: str, **context) -> str:
    return Template("{% load portraits %}" + text).render(Context(context))


def relative_luminance(colour) -> float:
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def test_initials_are_the_first_letters_of_the_first_two_words():
    assert initials("Maya Okafor") == "MO"
    assert initials("priya devi natarajan") == "PD"
    assert initials("Cher") == "C"


def test_a_person_without_a_photo_gets_their_initials_at_the_photos_size():
    html = render("{% portrait name photo 120 %}", name="Maya Okafor", photo="")
    assert 'class="portrait portrait--initials"' in html
    assert "width: 120px; height: 120px" in html and ">MO</span>" in html
    assert 'aria-hidden="true"' in html


def test_a_person_with_a_photo_gets_the_photo():
    html = render("{% portrait name photo 96 alt='Portrait' %}", name="Maya Okafor", photo="/media/maya.png")
    assert '<img src="/media/maya.png" alt="Portrait" width="96" height="96" class="portrait">' in html


def test_white_initials_keep_large_text_contrast_against_the_middle_of_the_gradient():
    top, bottom = gradient_stops()
    middle = tuple((a + b) / 2 for a, b in zip(top, bottom, strict=True))
    assert (1.05) / (relative_luminance(middle) + 0.05) >= 4.5


def test_the_demo_draws_the_same_initials_as_the_page():
    assert portrait_placeholder("Maya Okafor", size=48).size > 0  # the PNG the demo saves as a photo


def test_the_home_page_and_therapist_pages_show_initials_for_a_therapist_without_a_photo(client):
    TherapistFactory(name="Lena Brandt", slug="lena-brandt")
    with_photo = TherapistFactory(name="Maya Okafor", slug="maya-okafor")
    with_photo.photo.save("maya.png", ContentFile(portrait_placeholder("Maya Okafor", size=48).read()))
    home = client.get("/").content.decode()
    assert ">LB</span>" in home and 'class="portrait portrait--initials mb-2"' in home
    assert f'src="{with_photo.photo.url}"' in home
    assert ">LB</span>" in client.get("/therapists/").content.decode()
    assert ">LB</span>" in client.get("/therapists/lena-brandt/").content.decode()


def test_a_blog_byline_without_a_photo_shows_the_authors_initials(client):
    author = AuthorFactory(name="Sam Ortiz")
    post = PostFactory(author=author)
    assert ">SO</span>" in client.get(post.get_absolute_url()).content.decode()
    assert ">SO</span>" in client.get(author.get_absolute_url()).content.decode()


def test_a_portrait_drawn_again_follows_a_new_name_photo_and_size_at_once():
    assert ">MO</span>" in render("{% portrait name photo 96 %}", name="Maya Okafor", photo="")
    assert ">DK</span>" in render("{% portrait name photo 96 %}", name="Daniel Kim", photo="")
    assert "width: 64px" in render("{% portrait name photo 64 %}", name="Maya Okafor", photo="")
    html = render("{% portrait name photo 96 %}", name="Maya Okafor", photo="/media/maya.jpg")
    assert '<img src="/media/maya.jpg"' in html and "portrait--initials" not in html


def test_a_portraits_name_is_escaped_however_often_it_is_drawn():
    for _ in range(2):
        html = render("{% portrait name photo 96 alt=name %}", name='<b>"Mo"</b> Smith', photo="/media/x.jpg")
        assert "<b>" not in html and "&lt;b&gt;" in html
