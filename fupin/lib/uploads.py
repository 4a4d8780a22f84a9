"""The one check of an uploaded file (case attachments, visit photos): its size against the limit
(settings.ATTACHMENT_MAX_MB), not empty, and its kind recognised by its first bytes — the name and the
browser's claimed type are never trusted."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

JPEG = (b"\xff\xd8\xff", "image/jpeg", ".jpg")
PNG = (b"\x89PNG\r\n\x1a\n", "image/png", ".png")
PDF = (b"%PDF-", "application/pdf", ".pdf")

#: Photos only (JPEG, PNG).
IMAGES: tuple[tuple[bytes, str, str], ...] = (JPEG, PNG)
#: Photos and scanned signed forms.
IMAGES_AND_PDF: tuple[tuple[bytes, str, str], ...] = (JPEG, PNG, PDF)


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the name shown (the last part of the uploaded name, at most 200 characters)
    content_type: str
    extension: str
    sha256: str


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_MB", 10)) * 1024 * 1024


def check_upload(upload: UploadedFile, *, signatures: tuple[tuple[bytes, str, str], ...], refused: str,
                 default_name: str = "") -> CheckedUpload:
    """``upload`` checked: ValidationError on ``file`` when too large, empty or of another kind
    (``refused``: the message, with ``%(n)s`` for the name). Leaves the file at its start."""
    limit = max_bytes()
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200] or default_name or _("附件")
    if upload.size > limit:
        raise ValidationError({"file": _("“%(n)s”大小为 %(s).1f MB，超过 %(m)d MB 的上限") % {
            "n": name, "s": upload.size / 1024 / 1024, "m": limit // 1024 // 1024}})
    if upload.size == 0:
        raise ValidationError({"file": _("“%(n)s”是空文件") % {"n": name}})
    upload.seek(0)
    head = upload.read(16)
    kind = next(((ctype, ext) for magic, ctype, ext in signatures if head.startswith(magic)), None)
    if kind is None:
        raise ValidationError({"file": refused % {"n": name}})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(name=name, content_type=kind[0], extension=kind[1], sha256=digest.hexdigest())
