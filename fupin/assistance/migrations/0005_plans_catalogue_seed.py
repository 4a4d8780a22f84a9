"""issue 15 (plan15): the measure catalogue (帮扶措施目录, the "菜单" of 一户一策) seeded as data, REFERENCE §8's
categories (五个一批 and the seeds) with their typical measures, each keyed to the causes of poverty it
answers (fupin.registry.choices.Cause codes). Offered everywhere (no area); a county adds or edits its own
on the catalogue page (/assistance/catalogue/). Re-running adds nothing twice (matched by category and
name); reversing removes only the seeded rows nobody has chosen for a plan."""

from typing import Any

from django.db import migrations

#: (category, name, causes, description)
SEED = [
    ("industry", "产业发展奖补（种植养殖）", ["funds", "skills", "land", "motivation"],
     "按到户产业项目给予种苗、畜禽、物资或奖补资金"),
    ("industry", "入股合作社/带贫主体联结", ["funds", "labour", "skills"], "资产收益扶贫，与合作社、龙头企业建立利益联结"),
    ("employment", "技能培训", ["skills", "motivation"], "农业实用技术、职业技能培训，培训后推荐就业"),
    ("employment", "转移就业（外出务工补贴）", ["skills", "funds", "motivation"], "组织外出务工，给予交通、稳岗补贴"),
    ("employment", "公益岗位", ["labour", "skills"], "护路、保洁、护林等乡村公益性岗位，安置弱劳力、半劳力"),
    ("employment", "扶贫车间就近就业", ["labour", "skills"], "在村内扶贫车间、就业帮扶基地就近就业"),
    ("education", "教育资助（学前至高中）", ["schooling"], "学前、义务教育、高中阶段资助，减免学杂费"),
    ("education", "雨露计划", ["schooling", "skills"], "中职、高职在校生补助，每生每年 1,500 元（种子 000）"),
    ("education", "控辍保学", ["schooling"], "义务教育阶段适龄儿童劝返复学、送教上门"),
    ("health", "参保资助", ["illness", "disability"], "城乡居民基本医疗保险、大病保险个人缴费资助"),
    ("health", "先诊疗后付费", ["illness", "disability"], "县域内定点医疗机构住院先诊疗后付费"),
    ("health", "一站式结算", ["illness", "disability"], "基本医保、大病保险、医疗救助一站式结算"),
    ("health", "大病救治", ["illness"], "大病集中救治、慢病签约服务、重病兜底保障"),
    ("housing", "危房改造", ["funds", "disaster"], "C 级、D 级危房加固或拆除重建补助"),
    ("relocation", "易地扶贫搬迁", ["transport", "water", "land", "disaster"], "“一方水土养不起一方人”的搬迁安置"),
    ("finance", "扶贫小额信贷", ["funds"], "5 万元以下、3 年以内、免担保免抵押的信用贷款"),
    ("finance", "贷款贴息", ["funds"], "扶贫小额信贷、产业贷款财政贴息"),
    ("ecology", "生态护林员", ["land", "labour", "skills"], "选聘有劳动能力的贫困人口为生态护林员"),
    ("ecology", "退耕还林补助", ["land"], "新一轮退耕还林还草补助"),
    ("safety_net", "低保兜底", ["labour", "disability", "illness"], "符合条件的纳入农村低保，应保尽保"),
    ("safety_net", "特困供养", ["labour", "disability"], "无劳动能力、无生活来源、无法定赡养人的特困人员供养"),
    ("safety_net", "残疾人两项补贴", ["disability"], "困难残疾人生活补贴和重度残疾人护理补贴"),
    ("relief", "临时救助", ["disaster", "illness"], "遭遇突发事件、意外伤害、重大疾病的临时救助"),
    ("infrastructure", "安全饮水工程", ["water"], "农村饮水安全巩固提升，通自来水或集中供水"),
    ("infrastructure", "通组入户道路", ["transport"], "村组道路硬化、入户路建设"),
    ("infrastructure", "农网改造", ["transport", "water"], "生产生活用电、通信网络进村入户"),
    ("other", "扶志扶智（志智双扶）", ["motivation"], "感恩教育、道德评议、以奖代补，激发内生动力"),
    ("other", "其他帮扶", ["other"], "上述类别以外的帮扶措施"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    CatalogueMeasure = apps.get_model("assistance", "CatalogueMeasure")
    have = set(CatalogueMeasure.objects.filter(area__isnull=True).values_list("category", "name"))
    CatalogueMeasure.objects.bulk_create([
        CatalogueMeasure(category=category, name=name, causes=causes, description=description)
        for category, name, causes, description in SEED if (category, name) not in have])


def unseed(apps: Any, schema_editor: Any) -> None:
    CatalogueMeasure = apps.get_model("assistance", "CatalogueMeasure")
    PlanMeasure = apps.get_model("assistance", "PlanMeasure")
    used = PlanMeasure.objects.filter(catalogue__isnull=False).values("catalogue_id")
    for category, name, _causes, _description in SEED:
        CatalogueMeasure.objects.filter(area__isnull=True, category=category, name=name).exclude(pk__in=used).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("assistance", "0004_visit_photos"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
