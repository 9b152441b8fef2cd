import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils.html import conditional_escape


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_the_url_tag_writes_what_reverse_gives_however_often_it_is_drawn():
    for _ in range(2):
        assert render("{% url 'blog:index' %}") == reverse("blog:index")
        assert render("{% url 'blog:tag' slug=tag %}", tag="calves") == reverse("blog:tag", kwargs={"slug": "calves"})
        assert render("{% url 'blog:archive' 2026 3 %}") == reverse("blog:archive", args=[2026, 3])
    assert render("{% url 'blog:tag' slug=tag %}", tag="hips") == "/blog/tag/hips/"


def test_the_url_tag_follows_the_script_prefix_of_the_request(script_prefix):
    assert render("{% url 'blog:index' %}") == "/blog/"
    script_prefix("/clinic/")
    assert render("{% url 'blog:index' %}") == "/clinic/blog/"
    script_prefix("/")
    assert render("{% url 'blog:index' %}") == "/blog/"


def test_the_url_tag_escapes_and_stores_as_django_does():
    assert render("{% url 'blog:tag' slug=tag %}", tag="a&b") == conditional_escape(
        reverse("blog:tag", kwargs={"slug": "a&b"})
    )
    assert "&amp;" in render("{% url 'blog:tag' slug=tag %}", tag="a&b")
    assert render("{% url 'blog:index' as address %}[{{ address }}]") == "[/blog/]"
    assert render("{% url 'no-such-page' as address %}[{{ address }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")


class Spelled:
    """An argument that reverses through str(), which can change between two drawings."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def test_an_object_given_to_the_url_tag_is_reversed_anew_each_time():
    argument = Spelled("calves")
    assert render("{% url 'blog:tag' slug=argument %}", argument=argument) == "/blog/tag/calves/"
    argument.text = "hips"
    assert render("{% url 'blog:tag' slug=argument %}", argument=argument) == "/blog/tag/hips/"
