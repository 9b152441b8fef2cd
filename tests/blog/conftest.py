from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory, StaffUserFactory


@pytest.fixture
def draft(db):
    return PostFactory(title="Secret draft about #hiddentag", body="Draft text #hiddentag", status=Post.Status.DRAFT)


@pytest.fixture
def scheduled(db):
    return PostFactory(
        title="Scheduled piece about #hiddentag",
        body="Future text #hiddentag",
        publish_at=timezone.now() + timedelta(days=3),
    )


@pytest.fixture
def editor(client):
    user = StaffUserFactory(username="editor")
    group = Group.objects.create(name="Editors")
    group.permissions.set(Permission.objects.filter(content_type__app_label="blog"))
    user.groups.add(group)
    client.force_login(user)
    return user


def form_data(author, **overrides):
    data = {
        "title": "Foam rolling, honestly",
        "slug": "foam-rolling-honestly",
        "author": author.pk,
        "status": "published",
        "publish_at_0": "2024-05-01",
        "publish_at_1": "09:00:00",
        "body": "Roll slowly. #foamrolling #Recovery",
        "summary": "",
        "hero_alt": "",
        "extra_tags": "mobility",
        "series": "",
        "series_part": "",
        "video_url": "",
    }
    data.update(overrides)
    return data
