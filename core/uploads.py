"""Uploaded files we serve back from our own origin: checked by their content, stored under names we make.

Staff upload videos for posts. A file called "clip.mp4" can hold HTML or SVG, and a proxy that
serves it from /media/ would hand a script to every visitor on the site's own origin (the admin's
too). So the bytes decide: only real MP4 or WebM containers are accepted, whatever the name says,
and the stored name is random with the extension the content proves.
"""

import uuid
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.deconstruct import deconstructible
from django.utils.text import slugify

# ISO base media "ftyp" brands of video files browsers play (MP4, M4V, and their DASH/CMAF variants).
MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH", b"dash", b"cmfc"}
)
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
VIDEO_FORMATS = {"mp4": "video/mp4", "webm": "video/webm"}


def _head(file: File, size: int = 64) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(size)
    file.seek(position)
    return head if isinstance(head, bytes) else head.encode()


def video_container(file: File) -> str | None:
    """ "mp4" or "webm" when the file's first bytes are that container's header, else None."""
    head = _head(file)
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "mp4"
    if head.startswith(EBML_MAGIC) and b"\x42\x82\x84webm" in head:  # EBML DocType element, "webm"
        return "webm"
    return None


def validate_video_upload(file: File) -> None:
    if video_container(file) is None:
        raise ValidationError(
            "This file is not an MP4 or WebM video (we check what is inside the file, not its name). "
            "Export the video as MP4 (H.264) or WebM and upload that.",
            code="not_a_video",
        )


@deconstructible
class VideoUploadTo:
    """``upload_to`` for a video field: ``<folder>/<name>-<random>.<mp4|webm>``.

    The extension is the one the content proves: a valid MP4 named "page.html" would otherwise be
    served as HTML by its name. The name keeps a slug of the original for the staff who look at the
    folder, and a random part so no upload can guess or overwrite another's address.
    """

    def __init__(self, folder: str, *, field_name: str):
        self.folder = folder
        self.field_name = field_name

    def __call__(self, instance, filename: str) -> str:
        upload = getattr(instance, self.field_name)
        extension = video_container(upload.file) if upload else None
        stem = slugify(PurePosixPath(filename).stem)[:40] or "video"
        return f"{self.folder}/{stem}-{uuid.uuid4().hex[:12]}.{extension or 'bin'}"

    def __eq__(self, other):
        return isinstance(other, VideoUploadTo) and (other.folder, other.field_name) == (self.folder, self.field_name)
