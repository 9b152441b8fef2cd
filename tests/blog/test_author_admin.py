"""An editor links an author to one of our therapists from the author form, without seeing accounts."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from blog.models import Author
from tests.factories import StaffUserFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def test_the_editors_user_field_is_a_plain_choice_of_their_own_and_the_therapists_logins(client, editor):
    therapist = TherapistFactory(name="Priya Natarajan", user=StaffUserFactory(username="priya", first_name="Priya"))
    StaffUserFactory(username="bookkeeper")
    page = client.get(reverse("admin:blog_author_add")).content.decode()
    user_select = page.split('name="user"')[1].split("</select>")[0]
    assert "admin/autocomplete" not in page.split('name="user"')[0][-400:] + user_select
    assert "The results could not be loaded" not in page
    assert f'value="{therapist.user_id}"' in user_select and f'value="{editor.pk}"' in user_select
    assert "bookkeeper" not in user_select


def test_an_editor_links_an_author_to_a_therapist_and_the_author_writes_as_the_therapists_login(client, editor):
    therapist = TherapistFactory(name="Priya Natarajan", user=StaffUserFactory(username="priya"))
    response = client.post(
        reverse("admin:blog_author_add"),
        {"name": "Priya", "slug": "priya", "credentials": "", "bio": "", "therapist": therapist.pk, "user": ""},
    )
    assert response.status_code == 302
    author = Author.objects.get(slug="priya")
    assert author.therapist == therapist and author.user == therapist.user


def test_an_editor_cannot_pick_an_account_outside_the_list(client, editor):
    other = StaffUserFactory(username="bookkeeper")
    response = client.post(
        reverse("admin:blog_author_add"),
        {"name": "Someone", "slug": "someone", "credentials": "", "bio": "", "therapist": "", "user": other.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Author.objects.exists()


def test_the_autocomplete_still_refuses_editors_the_user_list(client, editor):
    url = reverse("admin:autocomplete") + "?app_label=blog&model_name=author&field_name=user"
    assert client.get(url).status_code == 403


def test_staff_who_may_see_accounts_keep_the_search_box(client, editor):
    editor.user_permissions.add(Permission.objects.get(codename="view_user"))
    page = client.get(reverse("admin:blog_author_add")).content.decode()
    assert 'data-ajax--url="/admin/autocomplete/"' in page
