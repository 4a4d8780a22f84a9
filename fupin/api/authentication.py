"""Token authentication with fupin's own tokens (fupin.accounts.tokens): hashed, expiring, revocable.
The user's area is loaded with the token: every scoped read needs it, and otherwise it costs a second
query on every request. ``Authorization: Token <key>`` as before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from fupin.accounts.tokens import TokenRefused, token_authenticate

if TYPE_CHECKING:
    from fupin.accounts.models import ApiToken, User


class AreaTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        try:
            token = token_authenticate(key)
        except TokenRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return token.user, token
