"""Image previews of attachments: small thumbnails and a screen-sized view, re-encoded.

The original bytes are never shown inline: Pillow decodes the image (only PNG, JPEG, GIF and
WebP, chosen by the sniffed type, so an SVG or a disguised HTML file never gets here) and
writes a fresh JPEG or PNG without metadata. Decompression bombs are refused before any pixel
is decoded: the header's size is checked against `MAX_PIXELS` and Pillow's own bomb warning
is an error. Results are cached per tenant (the cache key function adds the schema) by the
attachment's id and content hash.
"""

from __future__ import annotations

import io
import logging
import warnings

from django.core.cache import cache
from PIL import Image, ImageOps, UnidentifiedImageError

from tickets.models import Attachment, ScanStatus

logger = logging.getLogger(__name__)

PREVIEW_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
SIZES = {"thumb": 240, "view": 1600}
MAX_PIXELS = 40_000_000  # 40 megapixels: a large photo; bombs declare far more
CACHE_TTL = 7 * 24 * 3600


def has_preview(attachment: Attachment) -> bool:
    # A file held by the malware scanner (pending, infected) gets no preview either.
    return attachment.content_type in PREVIEW_TYPES and attachment.scan_status == ScanStatus.CLEAN


def preview_bytes(attachment: Attachment, *, size: str = "thumb") -> tuple[bytes, str] | None:
    """(image bytes, content type) of the attachment scaled to fit `size`; None when it is not
    an image we preview or cannot be decoded safely."""
    if not has_preview(attachment) or size not in SIZES:
        return None
    key = f"attachment-preview:{attachment.pk}:{attachment.sha256[:16]}:{size}"
    cached = cache.get(key)
    if cached is None:
        with attachment.file.open("rb") as handle:
            content = handle.read()
        rendered = render_preview(content, PREVIEW_TYPES[attachment.content_type], SIZES[size])
        cached = rendered or ("", "")  # remember failures too: a bomb is not retried each view
        cache.set(key, cached, CACHE_TTL)
    data, content_type = cached
    return (data, content_type) if data else None


def render_preview(content: bytes, image_format: str, box: int) -> tuple[bytes, str] | None:
    """Decode `content` as `image_format`, fit it in box × box, re-encode; None if unsafe."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=[image_format]) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    return None
                image.draft("RGB", (box, box))  # JPEG: decode at a reduced scale
                image.seek(0)  # the first frame of an animation
                picture = ImageOps.exif_transpose(image)
                picture.thumbnail((box, box))
                return _encode(picture)
        except (
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            UnidentifiedImageError,
            OSError,
            ValueError,
            EOFError,
            SyntaxError,
        ) as exc:
            logger.info("attachment preview refused: %s", type(exc).__name__)
            return None


def _encode(picture: Image.Image) -> tuple[bytes, str]:
    out = io.BytesIO()
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        picture.convert("RGBA").save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    picture.convert("RGB").save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue(), "image/jpeg"
