"""Password rules beyond Django's own (length, common passwords, not all digits)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import User


class LettersAndDigitsValidator:
    """A password must contain at least one letter and at least one digit."""

    def validate(self, password: str, user: User | None = None) -> None:
        has_letter = any(ch.isalpha() for ch in password)
        has_digit = any(ch.isdigit() for ch in password)
        if not (has_letter and has_digit):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_no_letters_and_digits")

    def get_help_text(self) -> str:
        return _("密码须同时包含字母和数字。")
