"""Product photos: resized once when uploaded, then served as they are.

Oscar's templates ask a thumbnailer for every image they show; generating thumbnails on the fly
costs queries and CPU on each page, so ours hands back files made once: the photo itself (1200 px
at most) or, for the small images of cards and cart lines, its card-sized copy stored next to it
(``<stem>.card.jpg``). Photos stored before the copies existed get theirs on first display.
"""

import logging
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.utils.translation import gettext as _
from oscar.core.thumbnails import AbstractThumbnailer
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1200
# Cards are about 240 css px wide: 480 px stays sharp on a phone's 2x screen.
CARD_SIDE = 480
CARD_QUALITY = 80
CARD_SUFFIX = ".card.jpg"
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}

logger = logging.getLogger(__name__)

# Pillow's own guard, for every image it opens (the card copies too): it warns above this many
# pixels and refuses above twice as many. prepare_photo refuses uploads above it, before decoding.
Image.MAX_IMAGE_PIXELS = settings.MAX_PHOTO_PIXELS


class _Url:
    def __init__(self, url: str):
        self.url = url


def card_photo_name(name: str) -> str:
    """Where the card-sized copy of a stored photo lives: next to it, ``<stem>.card.jpg``."""
    folder, slash, filename = name.rpartition("/")
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{folder}{slash}{stem}{CARD_SUFFIX}"


def fits_on_card(size) -> bool:
    """Whether an Oscar size ("400x400", "x155", "200x") is no larger than the card copy."""
    width, _x, height = str(size or "").lower().partition("x")
    try:
        sides = [int(side) for side in (width, height) if side.strip()]
    except ValueError:
        return False
    return bool(sides) and max(sides) <= CARD_SIDE


def save_card_photo(photo) -> str:
    """Write (or rewrite) the card-sized copy of a stored photo; return its name."""
    storage, card_name = photo.storage, card_photo_name(photo.name)
    with storage.open(photo.name, "rb") as original:
        image = Image.open(original)
        image.draft("RGB", (CARD_SIDE, CARD_SIDE))
        image.load()
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((CARD_SIDE, CARD_SIDE))
    out = BytesIO()
    image.save(out, format="JPEG", quality=CARD_QUALITY, optimize=True)
    storage.delete(card_name)
    saved = storage.save(card_name, ContentFile(out.getvalue()))
    if saved != card_name:  # another request wrote the copy meanwhile: keep theirs
        storage.delete(saved)
    return card_name


def card_photo_url(photo) -> str | None:
    """The URL of a photo's card copy, made now if it is missing; None if it cannot be made."""
    try:
        card_name = card_photo_name(photo.name)
        if not photo.storage.exists(card_name):
            save_card_photo(photo)
        return photo.storage.url(card_name)
    except Exception:  # a missing or broken file must not break the page: show the original
        logger.warning("No card copy for photo %s", photo.name, exc_info=True)
        return None


class UploadSizedThumbnailer(AbstractThumbnailer):
    def generate_thumbnail(self, source, **opts):
        name = getattr(source, "name", source) or ""
        if not name or str(name).endswith(settings.OSCAR_MISSING_IMAGE_URL):
            return _Url(static("img/placeholder.svg"))
        if fits_on_card(opts.get("size")) and hasattr(source, "storage"):
            card_url = card_photo_url(source)
            if card_url:
                return _Url(card_url)
        return _Url(source.url)

    def delete_thumbnails(self, source):
        # The photo itself stays, as Django leaves the files of deleted rows (the delete may yet be
        # rolled back); its card copy goes, and would be made again if the photo were shown.
        name, storage = getattr(source, "name", ""), getattr(source, "storage", None)
        if not name or storage is None:
            return
        try:
            storage.delete(card_photo_name(name))
        except OSError:
            logger.warning("Could not delete the card copy of %s", name, exc_info=True)


def not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not an image we can read. Send a JPEG, PNG or WebP photo."),
        code="not_an_image",
    )


def too_many_pixels() -> ValidationError:
    return ValidationError(
        _(
            "This photo has too many pixels: the limit is %(limit)s megapixels. Send a smaller "
            "copy (the “medium” size of a phone or a camera is plenty)."
        )
        % {"limit": settings.MAX_PHOTO_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


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
        image = Image.open(upload)  # reads the header only: the size, not the pixels
        image_format = image.format
    except Image.DecompressionBombError as error:  # more than twice MAX_IMAGE_PIXELS
        raise too_many_pixels() from error
    except (UnidentifiedImageError, OSError) as error:
        raise not_an_image() from error
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(_("Send a JPEG, PNG or WebP photo."), code="bad_format")
    width, height = image.size
    if width * height > settings.MAX_PHOTO_PIXELS:
        # Refused before decoding: a 400 KB PNG of 12,000 × 12,000 pixels takes 1.6 GB once
        # decoded and converted.
        raise too_many_pixels()
    if image_format == "JPEG":
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decoded at 1/2, 1/4 or 1/8 scale if larger
    try:
        image.load()
    except (OSError, Image.DecompressionBombError) as error:
        raise not_an_image() from error
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True)
    size = out.tell()
    out.seek(0)
    # No dot left in the stem, so that no upload can take the name of another photo's card copy.
    stem = (upload.name or "photo").rsplit(".", 1)[0].replace(".", "-")[:80] or "photo"
    return InMemoryUploadedFile(out, "image", f"{stem}.jpg", "image/jpeg", size, None)
