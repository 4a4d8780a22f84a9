"""The national exit criteria (REFERENCE §4, "一超两不愁三保障" and 饮水安全) as the default rule set of
each year that has a national poverty line (2014–2020), version 1, national (no area). Only criteria the
registry records facts for today; see the README (标准与规则) for those it cannot check yet. Re-running is
harmless (an existing version 1 is left as it is, perhaps already revised by a county)."""

from django.db import migrations

YEARS = range(2014, 2021)
NAME = "国家脱贫退出标准（一超两不愁三保障）"
NOTE = "REFERENCE §4；不愁吃穿暂以年度记录中的判定为准；“稳定超过”“因经济原因辍学”“县域内就医”尚无数据"

CONDITIONS = [
    {"field": "per_capita_income", "op": "gt", "value": "@poverty_line", "label": "一超：人均纯收入超过当年扶贫标准"},
    {"field": "food_clothing_secure", "op": "is_true", "label": "不愁吃、不愁穿"},
    {"field": "any_school_age_child_out_of_school", "op": "is_false", "label": "义务教育有保障"},
    {"field": "any_member_without_medical_insurance", "op": "is_false", "label": "基本医疗保险全员参保"},
    {"field": "any_member_without_serious_illness_insurance", "op": "is_false", "label": "大病保险全员参保"},
    {"field": "danger_grade", "op": "not_in", "value": ["C", "D"], "label": "住房安全：不住C级、D级危房"},
    {"field": "house_area", "op": "gt", "value": "0", "label": "住房安全：有住房"},
    {"field": "water_safe", "op": "is_true", "label": "饮水安全"},
    {"field": "water_difficulty", "op": "is_false", "label": "饮水不困难"},
]


def add_rules(apps, schema_editor):
    RuleSet = apps.get_model("standards", "RuleSet")
    for year in YEARS:
        RuleSet.objects.get_or_create(
            kind="exit_criteria", year=year, area=None, version=1,
            defaults={"name": NAME, "match": "all", "conditions": CONDITIONS, "note": NOTE})


def remove_rules(apps, schema_editor):
    RuleSet = apps.get_model("standards", "RuleSet")
    RuleSet.objects.filter(kind="exit_criteria", area=None, version=1, name=NAME, used=False).delete()


class Migration(migrations.Migration):
    dependencies = [("standards", "0001_standards_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
