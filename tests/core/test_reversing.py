import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.reversing import reverse_slug


@pytest.fixture
def script_prefix():
    """Restore the script prefix a test moves (a site served under a path, as WSGI's SCRIPT_NAME does)."""
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize(
    ("viewname", "slug"),
    [
        ("blog:post", "calves-after-a-run"),
        ("blog:tag", "running_2"),
        ("blog:tag", "café"),  # not a plain slug: percent-encoded by reverse() itself
        ("blog:category", "Upper-Case"),
        ("bookings:therapist_detail", "maya-okafor"),
    ],
)
def test_a_slug_address_is_the_one_reverse_gives(viewname, slug):
    assert reverse_slug(viewname, slug) == reverse(viewname, kwargs={"slug": slug})


def test_a_slug_address_follows_the_script_prefix_of_the_request(script_prefix):
    assert reverse_slug("blog:post", "calves") == "/blog/calves/"
    script_prefix("/clinic/")
    assert (
        reverse_slug("blog:post", "calves") == "/clinic/blog/calves/" == reverse("blog:post", kwargs={"slug": "calves"})
    )
    script_prefix("/")
    assert reverse_slug("blog:post", "calves") == "/blog/calves/"


def test_a_slug_the_pattern_refuses_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        reverse_slug("blog:post", "")
    with pytest.raises(NoReverseMatch):
        reverse_slug("blog:post", "not a slug")
