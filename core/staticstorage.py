"""The production storage for static files, with each file's address worked out once per process."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's compressed, hashed files; ``url()`` remembers each answer.

    Every page asks for the same handful of stylesheets, scripts and icons (``{% static %}``), and each
    answer is a walk through the manifest (about 25 µs). The manifest is read once when the process
    starts and never changes while it runs, so neither does the answer. Only names in the manifest
    are remembered (a missing one raises), so the memory stays bounded by it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        found = self._urls.get(name)
        if found is None:
            found = self._urls[name] = super().url(name)
        return found
