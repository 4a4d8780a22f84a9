"""``fupin demo``: load the deterministic synthetic county (REFERENCE §14) into an empty database."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fupin.demo import counties
from fupin.demo.accounts import DEFAULT_PASSWORD, check_password_strength
from fupin.demo.cases import summary_lines
from fupin.demo.generator import AS_OF, FIRST_YEAR, LAST_YEAR
from fupin.demo.loader import DemoRefused, load_demo, monitoring_count_lines, monitoring_summary
from fupin.demo.projects_demo import summary_lines as projects_summary
from fupin.registry.models import Household

STATUS_LABELS = {
    "exited": "已脱贫(享受政策)", "exited_stable": "脱贫不再享受政策", "monitor_risk": "监测对象(风险未消除)",
    "monitor_cleared": "监测对象(风险已消除)", "returned": "返贫", "poor": "贫困户(未脱贫)", "cancelled": "注销",
}


class Command(BaseCommand):
    help = ("载入合成演示数据：罗平县规模的演示县（12,285 户 41,685 人，REFERENCE §14），"
            "或用 --scale N 生成 N 个县的省级数据集。只能载入没有贫困户的数据库。"
            " / Load the deterministic synthetic demo county into an empty database.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1,
                            help=f"县的个数（1–{len(counties.yunnan_counties())}），默认 1：只有罗平县")
        parser.add_argument("--seed", type=int, default=2015, help="随机种子；相同种子和规模生成相同数据（默认 2015）")
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有贫困户时什么也不做（供 make run 使用）")
        parser.add_argument("--password", default=None,
                            help=f"演示账号的共用密码（默认 {DEFAULT_PASSWORD}）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: Any, scale: int, seed: int, if_empty: bool, password: str | None, no_progress: bool,
               **options: Any) -> None:
        if if_empty and Household.objects.exists():
            self.stdout.write("数据库中已有贫困户数据，跳过演示数据载入。")
            return
        available = len(counties.yunnan_counties())
        if not 1 <= scale <= available:
            raise CommandError(f"--scale 应在 1 到 {available} 之间（云南省现有 {available} 个县级行政区）")
        if password is not None:
            try:
                check_password_strength(password)
            except ValidationError as exc:
                raise CommandError("演示密码不符合要求：" + "；".join(exc.messages)) from exc
        bar = tqdm(total=1, unit="户", disable=True if no_progress else None, file=sys.stderr, delay=0.5,
                   bar_format="{desc} {percentage:3.0f}%|{bar}| {n:,.0f}/{total:,.0f} 户 [{elapsed}<{remaining}]")
        try:
            result = load_demo(scale=scale, seed=seed, password=password or DEFAULT_PASSWORD, progress=bar)
        except DemoRefused as exc:
            raise CommandError(exc.message) from exc
        finally:
            bar.close()

        c = result.counts
        w = self.stdout.write
        w(self.style.SUCCESS(f"合成演示数据已载入（种子 {seed}，{len(result.counties)} 个县："
                             f"{'、'.join(result.counties[:5])}{' 等' if len(result.counties) > 5 else ''}）"))
        w(f"  行政区划     {c.get('area', 0):>10,} 个（贫困村/乡镇认定 {c.get('designation', 0):,} 条）")
        w(f"  建档立卡户   {result.registered_households:>10,} 户")
        w(f"  建档立卡人口 {result.registered_people:>10,} 人")
        w(f"  监测新纳入户 {result.monitored_only_households:>10,} 户（{result.monitored_only_people:,} 人，"
          f"未建档的边缘易致贫户、突发严重困难户）")
        w(f"  年度收入记录 {c.get('yearly', 0):>10,} 条（{FIRST_YEAR}–{LAST_YEAR} 年）")
        w(f"  状态变更     {c.get('change', 0):>10,} 条")
        w("  首次脱贫人数（计划 / 实际）：" + "，".join(
            f"{year} 年 {result.quotas.get(year, 0):,} / {n:,}" for year, n in sorted(result.first_exits.items())))
        w("  返贫人数：" + "，".join(f"{y} 年 {n:,}" for y, n in sorted(result.returns.items())))
        w("  返贫后再次脱贫人数：" + "，".join(f"{y} 年 {n:,}" for y, n in sorted(result.reexits.items())))
        w(f"  {AS_OF.year} 年 {AS_OF.month} 月 {AS_OF.day} 日户状态：" + "，".join(
            f"{STATUS_LABELS.get(s, s)} {n:,} 户" for s, n in sorted(result.statuses.items(), key=lambda x: -x[1])))
        w("  防返贫监测（2020–2026 年）：" + "；".join(monitoring_summary(result.monitoring))
          + f"；帮扶措施 {c.get('measure', 0):,} 条，目标任务 {c.get('target', 0):,} 条")
        if result.accounts_created:
            w(f"  演示账号：新建 {'、'.join(result.accounts_created)}（运行 fupin demo_logins 查看）")
        if result.accounts_skipped:
            w(f"  已存在、未修改的账号：{'、'.join(result.accounts_skipped)}")
        if result.findings is not None:
            w(f"  数据质量疑点：{result.findings:,} 条（“数据质量”页面；fupin quality check 可重新核查）")
        else:
            w("  数据质量疑点：未计算（规模较大；需要时运行 fupin quality check）")
        if result.cases is not None:
            for line in summary_lines(result.cases):
                w(line)
        if getattr(result, "credit", None) is not None:  # (issue 15 #7) 扶贫小额信贷
            c = result.credit
            w(f"  扶贫小额信贷：评级 {c.ratings} 户，贷款 {c.loans} 笔，还款 {c.repayments} 笔，贴息 {c.subsidies} 期，"
              f"逾期 {c.overdue} 笔，风险补偿金代偿 {c.compensated} 笔")
        if result.assistance is not None:  # issue 15 (who15)
            a = result.assistance
            w(f"  帮扶力量：单位 {a.units}，干部 {a.cadres}，挂钩 {a.links}，工作队 {a.teams}（派驻 {a.postings}），"
              f"结对 {a.pairings:,}；无帮扶责任人 {a.counts['without_cadre']} 户，待转交 {a.counts['departed']} 户，"
              f"超限干部 {a.counts['over']} 名，在村天数不足 {a.counts['low_presence']} 人次"
              f"（{a.seconds:.1f} 秒）")
        if result.counts.get("visit") is not None or result.counts.get("plan") is not None:  # issue 15
            w(f"  走访记录 {result.counts.get('visit') or 0:,} 条，一户一策计划 {result.counts.get('plan') or 0:,} 户")
        list(map(w, projects_summary(result.projects)))  # issue 16 (demo16) 项目资金 (nothing when not built)
        w(f"  用时 {result.seconds:.1f} 秒（写入方式：{result.method}）")
        w("  载入后数据库中的防返贫监测：")
        for line in monitoring_count_lines():
            w(line)
