"""The national default rule sets of the negative list (七不进), the inclusion hints (四进) and the
quantified scoring scheme (四看) for each year 2014–2020, version 1, national (no area); REFERENCE §3.
A county revises them on the 标准 pages (a used version is never changed: a new version is made).
Re-running is harmless (an existing version 1 is left as it is). Criteria the registry records no facts
for are named in each note."""

from django.db import migrations

YEARS = range(2014, 2021)

EXCLUSION_NAME = "国家排除规则（七不进）"
EXCLUSION_NOTE = ("REFERENCE §3 云南“七不进”；任一条符合即不得识别（或按错评清退）；"
                  "“户主父母、配偶、子女为财政供养人员”“拆户并户”尚无数据")
EXCLUSION = [
    {"field": "any_member_public_servant", "op": "is_true", "label": "家庭成员有财政供养人员"},
    {"field": "any_member_village_official", "op": "is_true", "label": "家庭成员有村委会成员"},
    {"field": "vehicle_price", "op": "ge", "value": "30000", "label": "拥有购置价 3 万元以上的机动车（农用车、生产经营用车除外）"},
    {"field": "urban_property", "op": "is_true", "label": "在城镇购买商品房、自建房或门面"},
    {"field": "operating_business", "op": "is_true", "label": "成员有登记并正常经营的市场主体"},
    {"field": "large_scale_operation", "op": "is_true", "label": "规模种养殖或长期雇工经营"},
    {"field": "registered_not_resident", "op": "is_true", "label": "户在人不在（空挂户）"},
    {"field": "false_information", "op": "is_true", "label": "提供虚假信息"},
]

INCLUSION_NAME = "国家纳入提示（四进）"
INCLUSION_NOTE = "REFERENCE §3“四进”，措辞待核实；任一条符合即提示优先入户核查；“遭遇重大灾害或意外事故”尚无数据"
INCLUSION = [
    {"field": "danger_grade", "op": "in", "value": ["C", "D"], "label": "住危房"},
    {"field": "house_area", "op": "le", "value": "0", "label": "无住房"},
    {"field": "any_member_seriously_ill", "op": "is_true", "label": "有成员患大病"},
    {"field": "any_member_disabled", "op": "is_true", "label": "有成员残疾"},
    {"field": "student_count", "op": "ge", "value": 2, "label": "在校生负担重（2 人及以上）"},
]

SCORING_NAME = "国家量化评分（四看法）"
SCORING_NOTE = ("REFERENCE §3 贵州“四看法”，各看分值 30/30/20/20 共 100 分（待核实）；得分越低越贫困，"
                "在村内排序；“房龄”“粮食人均”“务工”“养殖”尚无数据")
SCORING = [
    {"group": "一看房", "points": 5, "field": "house_area", "op": "gt", "value": "0", "label": "有住房"},
    {"group": "一看房", "points": 10, "field": "danger_grade", "op": "not_in", "value": ["C", "D"],
     "label": "不住C级、D级危房"},
    {"group": "一看房", "points": 5, "field": "house_structure", "op": "in", "value": ["concrete", "brick_concrete"],
     "label": "砖混或钢筋混凝土结构"},
    {"group": "一看房", "points": 5, "field": "water_safe", "op": "is_true", "label": "饮水安全"},
    {"group": "一看房", "points": 5, "field": "domestic_power", "op": "is_true", "label": "通生活用电"},
    {"group": "二看粮", "points": 10, "field": "cultivated_land", "op": "ge", "value": "2", "label": "耕地 2 亩及以上"},
    {"group": "二看粮", "points": 10, "field": "cultivated_land", "op": "ge", "value": "5", "label": "耕地 5 亩及以上"},
    {"group": "二看粮", "points": 10, "field": "per_capita_income", "op": "gt", "value": "@poverty_line",
     "label": "人均纯收入超过当年扶贫标准"},
    {"group": "三看劳动力", "points": 10, "field": "labour_count", "op": "ge", "value": 1, "label": "有劳动力"},
    {"group": "三看劳动力", "points": 5, "field": "labour_count", "op": "ge", "value": 2, "label": "劳动力 2 人及以上"},
    {"group": "三看劳动力", "points": 5, "field": "any_member_seriously_ill", "op": "is_false", "label": "无成员患大病"},
    {"group": "四看读书郎", "points": 10, "field": "any_school_age_child_out_of_school", "op": "is_false",
     "label": "义务教育阶段适龄儿童均在校"},
    {"group": "四看读书郎", "points": 10, "field": "student_count", "op": "le", "value": 1,
     "label": "在校生负担轻（不超过 1 人）"},
]

SETS = [
    ("exclusion", EXCLUSION_NAME, "any", EXCLUSION, EXCLUSION_NOTE),
    ("inclusion", INCLUSION_NAME, "any", INCLUSION, INCLUSION_NOTE),
    ("scoring", SCORING_NAME, "any", SCORING, SCORING_NOTE),
]


def add_rules(apps, schema_editor):
    RuleSet = apps.get_model("standards", "RuleSet")
    for kind, name, match, conditions, note in SETS:
        for year in YEARS:
            RuleSet.objects.get_or_create(
                kind=kind, year=year, area=None, version=1,
                defaults={"name": name, "match": match, "conditions": conditions, "note": note})


def remove_rules(apps, schema_editor):
    RuleSet = apps.get_model("standards", "RuleSet")
    for kind, name, _match, _conditions, _note in SETS:
        RuleSet.objects.filter(kind=kind, area=None, version=1, name=name, used=False).delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0003_stdpages_scoring_kind"), ("registry", "0010_stdpages_negative_list_facts")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
