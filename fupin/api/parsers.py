"""JSON parsing with the body size limit enforced (DRF reads the stream itself, past Django's check)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, BinaryIO

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .errors import PayloadTooLarge


class LimitedJSONParser(JSONParser):
    # ``stream`` is the Django request itself (file-like) or a BytesIO; the result is any JSON value.
    def parse(self, stream: HttpRequest | BinaryIO | None, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            request = (parser_context or {}).get("request")
            length = 0
            if request is not None:
                try:
                    length = int(request.META.get("CONTENT_LENGTH") or 0)
                except ValueError:
                    length = 0
            if length > limit:
                raise PayloadTooLarge()
            # Content-Length may be absent or lie: never hold more than the limit in memory.
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise PayloadTooLarge()
            stream = io.BytesIO(body)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # "[[[[…]]]]" nested deeper than the interpreter's stack: malformed for our purposes.
            raise ParseError(_("JSON 嵌套层数过多")) from None
