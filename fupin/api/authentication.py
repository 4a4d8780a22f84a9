"""Token authentication that loads the user's area with the user: every scoped read needs it, and
otherwise it costs a second query on every request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

if TYPE_CHECKING:
    from rest_framework.authtoken.models import Token

    from fupin.accounts.models import User


class AreaTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        model = self.get_model()
        # The key is unique: a slice of the unordered queryset, not .first() (which adds ORDER BY key).
        found = list(model.objects.select_related("user", "user__area").filter(key=key).order_by()[:1])
        if not found:
            raise exceptions.AuthenticationFailed(_("令牌无效"))
        token = found[0]
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用"))
        return token.user, token
