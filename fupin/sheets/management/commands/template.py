"""``fupin template OUT.xlsx``: the empty import template with drop-downs and a column guide."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fupin.sheets.template import build_template


class Command(BaseCommand):
    help = _("生成贫困户信息导入模板（.xlsx）：表头、下拉列表、文本格式的号码列和填写说明。")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("out", help=_("输出文件（.xlsx）"))

    def handle(self, *args: Any, out: str, **options: Any) -> None:
        path = Path(out)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(_("输出文件应以 .xlsx 结尾：%(path)s") % {"path": out})
        if not path.parent.is_dir():
            raise CommandError(_("目录不存在：%(dir)s") % {"dir": path.parent})
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx.part", dir=path.parent)
        os.close(fd)
        try:
            build_template(Path(tmp_name))
            # mkstemp makes the file private; the template holds no personal data.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)
            os.replace(tmp_name, path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        self.stdout.write(self.style.SUCCESS(_("导入模板已写入 %(path)s") % {"path": path}))
