"""Product photos: resized once when uploaded, then served as they are.

Oscar's templates ask a thumbnailer for every image they show; generating thumbnails on the fly
costs queries and CPU on each page, so ours hands back the stored (already small) file.
"""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.utils.translation import gettext as _
from oscar.core.thumbnails import AbstractThumbnailer
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1200
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


class _Url:
    def __init__(self, url: str):
        self.url = url


class UploadSizedThumbnailer(AbstractThumbnailer):
    def generate_thumbnail(self, source, **opts):
        name = getattr(source, "name", source) or ""
        if not name or str(name).endswith(settings.OSCAR_MISSING_IMAGE_URL):
            return _Url(static("img/placeholder.svg"))
        return _Url(source.url)

    def delete_thumbnails(self, source):
        return None


def prepare_photo(upload) -> InMemoryUploadedFile:
    """Check that an upload is a real photo of a sane size and return it as a resized JPEG."""
    if upload.size > settings.MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MAX_PHOTO_BYTES),
            },
            code="too_large",
        )
    try:
        image = Image.open(upload)
        image_format = image.format
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("This file is not an image we can read. Send a JPEG, PNG or WebP photo."),
            code="not_an_image",
        ) from error
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(_("Send a JPEG, PNG or WebP photo."), code="bad_format")
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True)
    size = out.tell()
    out.seek(0)
    stem = (upload.name or "photo").rsplit(".", 1)[0][:80] or "photo"
    return InMemoryUploadedFile(out, "image", f"{stem}.jpg", "image/jpeg", size, None)
