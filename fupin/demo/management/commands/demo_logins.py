"""``fupin demo_logins``: print the demo accounts (made by ``fupin demo``) as a table."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand

from fupin.accounts.models import Role, User
from fupin.demo.accounts import DEFAULT_PASSWORD, DEMO_USERNAMES, LOGIN_URL


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([rule, line(header), rule, *[line(r) for r in rows], rule])


class Command(BaseCommand):
    help = "列出演示账号（由 fupin demo 创建）及登录地址 / Print the demo accounts and where to log in."

    def handle(self, *args: Any, **options: Any) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("area")}
        if not users:
            self.stdout.write("没有演示账号。运行 fupin demo 载入演示数据后会创建演示账号。")
            return
        rows, changed = [], False
        for username in DEMO_USERNAMES:
            user = users.get(username)
            if user is None:
                continue
            area = user.area.full_name() if user.area else "全部"
            same = user.check_password(DEFAULT_PASSWORD)
            changed = changed or not same
            rows.append([username, str(Role(user.role).label) if user.role in Role.values else user.role,
                         area, user.display_name or "", DEFAULT_PASSWORD if same else "（已更改）"])
        self.stdout.write(f"演示系统地址：{LOGIN_URL}")
        self.stdout.write("以下账号均为合成演示数据的演示账号：")
        self.stdout.write(table(["账号", "角色", "管辖区划", "姓名", "密码"], rows))
        if changed:
            self.stdout.write("标为“（已更改）”的账号不再使用默认演示密码（载入时用 --password 指定，或已被修改）。")
