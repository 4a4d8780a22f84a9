"""``fupin monitoring push FILE.csv --kind KIND [--area CODE] [--user NAME]``: push a department's sector list
(部门预警名单) through the same service as the upload page (fupin.monitoring.alerts.push), then print the
counts and every row that raised nothing, by row number. Without ``--user`` the system pushes (any area);
with it, that user's role and scope apply exactly as on the page. Safe to re-run: a second push of the same
file counts its rows as duplicates of the still-open warnings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fupin.areas.models import Area, Level
from fupin.sheets.management.commands.export import resolve_area, resolve_user

from ... import alerts
from ...models import ListKind

OUTCOMES = {"malformed": "格式错误", "unmatched": "未匹配", "out_of_scope": "不在区划内", "duplicate": "重复",
            "no_rule": "未触发", "warning": "已预警（有疑点）", "ignored": "已忽略"}


class Command(BaseCommand):
    help = "防返贫监测：push 推送部门预警名单（医疗费用、灾情、失业、辍学、危房、低保变动）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        push = sub.add_parser("push", help="推送一份部门预警名单（.csv 或 .xlsx）")
        push.add_argument("file")
        push.add_argument("--kind", required=True, choices=ListKind.values,
                          help="名单类别：" + "，".join(f"{k.value}={k.label}" for k in ListKind))
        push.add_argument("--area", help="名单的区划代码（默认：用户的区划；无 --user 时为唯一的县）")
        push.add_argument("--user", help="以该用户的身份和管辖范围推送")
        push.add_argument("--quiet", action="store_true", help="只打印计数，不逐行列出")

    def handle(self, *args: Any, **options: Any) -> None:
        user = resolve_user(options["user"])
        area = resolve_area(user, options["area"]) or getattr(user, "area", None)
        if area is None:
            counties = list(Area.objects.filter(level=Level.COUNTY)[:2])
            if len(counties) != 1:
                raise CommandError(_("请用 --area 指定名单的区划"))
            area = counties[0]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("文件 %(f)s 不存在") % {"f": path})
        actor = user if user.pk is not None else None
        try:
            result = alerts.push(actor=actor, kind=options["kind"], area=area, filename=path.name,
                                 data=path.read_bytes())
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("%(k)s名单 %(f)s（%(a)s）：%(n)d 行，匹配 %(m)d，预警 %(r)d，未匹配 %(u)d，格式错误 %(e)d；"
                            "处理结果编号 %(id)d") % {
            "k": ListKind(result.kind).label, "f": path.name, "a": area.name, "n": result.rows, "m": result.matched,
            "r": result.raised, "u": result.unmatched, "e": result.malformed, "id": result.pk})
        if not options["quiet"]:
            for e in result.report:
                self.stdout.write(f"  第 {e['row']} 行 [{OUTCOMES.get(e['outcome'], e['outcome'])}] "
                                  f"{e.get('id_number', '')} {e.get('name', '')}：{e['message']}")
