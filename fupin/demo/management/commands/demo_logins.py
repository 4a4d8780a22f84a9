"""``fupin demo_logins``: print the demo accounts (made by ``fupin demo``) as a table."""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.accounts.models import Role, User
from fupin.demo.accounts import DEFAULT_PASSWORD, DEMO_USERNAMES, login_url


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

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="登录地址，如 https://fupin.example.gov.cn/（默认由 --host/--port 组成）")
        parser.add_argument("--host", help="服务器地址（默认取环境变量 HOST，否则 127.0.0.1）")
        parser.add_argument("--port", help="服务器端口（默认取环境变量 PORT，即 make run 所用端口，否则 8000）")

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
        url = login_url(url=options.get("url"), host=options.get("host"), port=options.get("port"),
                        environ=dict(os.environ))
        self.stdout.write(f"演示系统地址：{url}")
        self.stdout.write("以下账号均为合成演示数据的演示账号：")
        self.stdout.write(table(["账号", "角色", "管辖区划", "姓名", "密码"], rows))
        if changed:
            self.stdout.write("标为“（已更改）”的账号不再使用默认演示密码（载入时用 --password 指定，或已被修改）。")
