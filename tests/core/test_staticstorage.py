import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from core.staticstorage import StaticFilesStorage


@pytest.fixture
def collected(tmp_path):
    """A static root as collectstatic leaves it: the manifest naming each file's hashed copy."""
    manifest = {"version": "1.1", "hash": "x", "paths": {"clinic/css/site.css": "clinic/css/site.0123abcd.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return tmp_path


def test_static_addresses_are_whitenoises_asked_once_or_many_times(collected, settings):
    settings.DEBUG = False
    ours = StaticFilesStorage(location=collected, base_url="/static/")
    theirs = CompressedManifestStaticFilesStorage(location=collected, base_url="/static/")
    for _ in range(3):
        assert (
            ours.url("clinic/css/site.css")
            == theirs.url("clinic/css/site.css")
            == "/static/clinic/css/site.0123abcd.css"
        )
    assert ours.url("clinic/css/site.css", force=True) == theirs.url("clinic/css/site.css", force=True)


def test_a_file_missing_from_the_manifest_is_refused_every_time(collected, settings):
    settings.DEBUG = False
    ours = StaticFilesStorage(location=collected, base_url="/static/")
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("clinic/css/missing.css")
