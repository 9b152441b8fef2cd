import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def jpeg(width=2000, height=1000) -> SimpleUploadedFile:
    """A small real JPEG upload of the given size."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 100)).save(buffer, format="JPEG")
    return SimpleUploadedFile("hero.jpg", buffer.getvalue(), content_type="image/jpeg")
