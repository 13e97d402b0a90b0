"""Images in articles: uploaded from the editor, type-sniffed, stored per tenant."""

from __future__ import annotations

import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledgebase.models import Article, ArticleImage
from panel1.actors import Actor
from panel1.exceptions import DomainError, PermissionDenied
from panel1.sniffing import sniff_content_type

# What a browser shows inline and cannot run: no SVG (it carries scripts).
IMAGE_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_PATH_RE = re.compile(
    r"/kb/images/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/"
)


def image_markdown(image: ArticleImage, alt: str = "") -> str:
    """What the editor inserts: `![alt](/kb/images/<id>/)`."""
    alt = " ".join((alt or "").replace("[", "").replace("]", "").split())[:120]
    return f"![{alt}](/kb/images/{image.pk}/)"


@transaction.atomic
def kb_image_upload(
    *, actor, content: bytes, filename: str = "", article: Article | None = None
) -> ArticleImage:
    """Store an image for an article. The type comes from the bytes, never the name or the
    browser: only PNG, JPEG, GIF and WebP are taken, up to MAX_IMAGE_BYTES."""
    actor = Actor.of(actor)
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can add images to articles."))
    if not content:
        raise DomainError({"image": [_("Choose an image file.")]})
    if len(content) > MAX_IMAGE_BYTES:
        raise DomainError({"image": [_("Images may be at most 5 MB.")]})
    content_type = sniff_content_type(content)
    extension = IMAGE_TYPES.get(content_type)
    if extension is None:
        raise DomainError({"image": [_("Only PNG, JPEG, GIF and WebP images can be added.")]})
    image = ArticleImage(
        content_type=content_type,
        size=len(content),
        original_name=(filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255],
        article=article,
        uploaded_by=actor.user,
        created_at=timezone.now(),
    )
    image.file.save(f"image{extension}", ContentFile(content), save=False)
    image.save()
    return image


def kb_images_claim(*, article: Article) -> int:
    """Tie images uploaded before the article was first saved (no article yet) to it, when its
    body shows them; answers how many."""
    ids = set(IMAGE_PATH_RE.findall(article.body or ""))
    if not ids:
        return 0
    return ArticleImage.objects.filter(pk__in=ids, article__isnull=True).update(article=article)
