import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from newsletter.models import Issue, Subscriber

pytestmark = pytest.mark.django_db


def test_the_demo_has_subscribers_in_every_state_and_a_sent_and_a_draft_issue(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert set(Subscriber.objects.values_list("status", flat=True)) == set(Subscriber.Status.values)
    assert set(Issue.objects.values_list("status", flat=True)) == {Issue.Status.SENT, Issue.Status.DRAFT}
    assert Group.objects.get(name="Editors").permissions.filter(codename="send_issue").exists()
    assert Group.objects.get(name="Front desk").permissions.filter(codename="delete_subscriber").exists()
