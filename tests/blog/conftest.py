from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory


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
