"""The negative list (负面清单) seeded from REFERENCE §9 (money16): uses poverty funds may not pay for, as
data the county office edits (/projects/funds/negative/)."""

from django.db import migrations

SEED = (
    ("行政事业单位基本支出", ("行政运转", "办公经费", "工作经费", "人员工资", "差旅费", "会议费")),
    ("交通工具及通讯设备", ("购置车辆", "公务用车", "小汽车", "手机", "通讯设备")),
    ("修建楼堂馆所", ("办公楼", "楼堂馆所", "办公用房", "培训中心")),
    ("弥补企业亏损", ("企业亏损", "弥补亏损")),
    ("大中型基本建设项目", ("大中型水利", "大型水库", "大中型基本建设")),
    ("城市基础设施建设", ("城市道路", "城区", "市政工程", "城市基础设施")),
    ("招商引资奖励", ("招商引资奖励", "投资奖励")),
    ("与脱贫攻坚无关的支出", ("偿还债务", "还债", "捐赠支出", "职工福利")),
)


def seed(apps, schema_editor):
    NegativeUse = apps.get_model("projects", "NegativeUse")
    have = set(NegativeUse.objects.filter(area__isnull=True).values_list("name", flat=True))
    NegativeUse.objects.bulk_create([
        NegativeUse(name=name, keywords="\n".join(words), note="REFERENCE §9 负面清单（措辞待核实）")
        for name, words in SEED if name not in have])


class Migration(migrations.Migration):

    dependencies = [("projects", "0001_ledger")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
