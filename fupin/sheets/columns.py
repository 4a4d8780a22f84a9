"""The standard flat sheet (REFERENCE §12), described once.

One row per member; the household's columns are repeated on each of its members' rows; the
household's yearly record (incomes of the year in 年度) rides along on the same rows. The reader maps
real-world headers onto these columns (synonyms, units in brackets, stray spaces), the cell parsers
turn cell values into registry values by ``kind``, the exporter and the template write the columns
in this order with these headers, and the importer knows from ``target``/``field`` where a value goes.

Kinds:
  text     free text (stripped, full-width folded)
  id       证件号码 / 残疾证号: an 18-digit citizen ID, 15-digit old ID or 20/22-digit 残疾人证 number;
           a number that Excel stored as a number is refused (its last digits are lost)
  digits   phone or bank account: digits (and - + space for phones); a long number stored as a
           number is refused the same way
  code     户编号 / 区划代码: digits kept as text
  choice   one of ``choices`` by its Chinese label (or a synonym in ``aliases``)
  choices  several of ``choices`` separated by 、，,；;/ or spaces
  bool     是/否, √/×, Y/N, 1/0, 有/无, true/false
  date     1985-04-04, 1985.04.04, 1985/4/4, 1985年4月4日, 19850404 or an Excel date
  money    yuan: 1,234.50 / 1234.5元 / ￥1234 (2 decimals; negative refused where the field is)
  decimal  a number with up to 2 decimals (亩, 平方米, 公里)
  int      a whole number (年度, 月数)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import TextChoices

from fupin.registry.choices import (
    Attribute,
    CancelReason,
    Cause,
    DangerGrade,
    Education,
    Ethnicity,
    Fuel,
    Health,
    Labour,
    Relation,
    RoadType,
    SchoolStatus,
    Sex,
    Standard,
    Status,
    WorkStatus,
)

# Where a column's value goes.
HOUSEHOLD = "household"
MEMBER = "member"
YEARLY = "yearly"
AREA = "area"  # 县/乡镇/行政村/村民小组 names and 区划代码: resolve the household's area
INFO = "info"  # read and shown, checked against the registry, not imported (户主姓名, 帮扶责任人)


@dataclass(frozen=True)
class Column:
    header: str
    target: str
    field: str | None
    kind: str
    choices: type[TextChoices] | None = None
    synonyms: tuple[str, ...] = ()
    required: bool = False
    # Extra spellings of choice labels seen in real sheets: {"text as written": code}.
    aliases: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    width: int = 10  # column width in exported sheets (characters)


_C = Column

COLUMNS: tuple[Column, ...] = (
    _C("户编号", HOUSEHOLD, "number", "code", synonyms=("户号", "户编码", "家庭编号"), required=True, width=18),
    _C("县", AREA, "county", "text", synonyms=("县（市、区）", "县市区", "县区", "县(市区)"), width=8),
    _C("乡镇", AREA, "township", "text", synonyms=("乡（镇）", "乡镇（街道）", "乡镇街道", "乡(镇)", "乡", "镇",
                                                "乡（镇、街道）"), width=10),
    _C("行政村", AREA, "village", "text", synonyms=("村", "村（社区）", "行政村（社区）", "村委会"), width=10),
    _C("村民小组", AREA, "group", "text", synonyms=("组", "自然村", "村民小组（自然村）", "小组"), width=10),
    _C("区划代码", AREA, "code", "code", synonyms=("行政区划代码", "区划编码", "村代码"), width=16),
    _C("户主姓名", INFO, "head_name", "text", synonyms=("户主",), width=8),
    _C("姓名", MEMBER, "name", "text", synonyms=("成员姓名", "家庭成员姓名", "人员姓名"), required=True, width=8),
    _C("证件号码", MEMBER, "id_number", "id",
       synonyms=("身份证号", "公民身份号码", "身份证号码", "身份证件号码", "证件号", "公民身份证号码",
                 "公民身份证号", "身份证", "身份证件号"), required=True, width=22),
    _C("性别", MEMBER, "sex", "choice", Sex, aliases={"男性": "1", "女性": "2"}, width=5),
    _C("出生日期", MEMBER, "birth_date", "date", synonyms=("出生年月日", "出生年月"), width=11),
    _C("民族", MEMBER, "ethnicity", "choice", Ethnicity, width=7),
    _C("与户主关系", MEMBER, "relation", "choice", Relation, synonyms=("与户主的关系", "家庭关系", "关系"),
       aliases={"本人": "head", "本人（户主）": "head", "妻": "spouse", "夫": "spouse", "妻子": "spouse",
                "丈夫": "spouse", "子": "son", "儿子": "son", "女": "daughter", "女儿": "daughter",
                "儿媳": "daughter_in_law", "女婿": "son_in_law", "孙子": "grandson", "孙女": "granddaughter",
                "父亲": "father", "母亲": "mother", "兄弟": "sibling", "姐妹": "sibling",
                "之兄弟姐妹": "sibling", "之外孙子": "grandson", "之外孙女": "granddaughter", "外孙": "grandson",
                "外孙子": "grandson", "外孙女": "granddaughter"}, required=True, width=9),
    _C("文化程度", MEMBER, "education", "choice", Education,
       aliases={"文盲": "illiterate", "半文盲": "illiterate", "中专": "vocational", "中职": "vocational",
                "大专": "college", "本科": "college", "大学": "college", "大专及以上学历": "college"}, width=12),
    _C("在校生状况", MEMBER, "school_status", "choice", SchoolStatus, synonyms=("在校生情况", "在校情况"),
       aliases={"非在校": "none", "否": "none", "无": "none", "高职": "higher_vocational",
                "大专": "higher_vocational", "本科": "undergraduate"}, width=10),
    _C("健康状况", MEMBER, "health", "choice", Health,
       aliases={"大病": "serious", "慢性病": "chronic", "患有大病": "serious", "有长期慢性病": "chronic"},
       width=10),
    _C("残疾证号", MEMBER, "disability_cert_no", "id", synonyms=("残疾人证号", "残疾证号码"), width=24),
    _C("劳动能力", MEMBER, "labour", "choice", Labour, synonyms=("劳动技能", "劳动力状况"),
       aliases={"普通劳动": "normal", "技能劳动": "skilled", "弱劳动力": "weak", "半劳动力": "weak",
                "丧失劳动能力": "lost", "无劳动能力": "none"}, width=14),
    _C("务工状况", MEMBER, "work_status", "choice", WorkStatus, synonyms=("务工情况",),
       aliases={"乡镇内": "township", "县内乡外": "county", "省内县外": "province", "省外": "outside",
                "乡（镇）内务工": "township", "乡（镇）内": "township", "县外省内": "province",
                "县外省内务工": "province"}, width=12),
    _C("务工时间", MEMBER, "work_months", "int", synonyms=("务工时间（月）", "务工月数", "务工时长"), width=8),
    _C("是否参加基本医疗保险", MEMBER, "medical_insurance", "bool",
       synonyms=("是否参加城乡居民基本医疗保险", "基本医疗保险", "参加新农合", "是否参加新农合",
                 "是否参加新型农村合作医疗"), width=8),
    _C("是否参加大病保险", MEMBER, "serious_illness_insurance", "bool", synonyms=("大病保险",), width=8),
    _C("是否参加基本养老保险", MEMBER, "pension_insurance", "bool",
       synonyms=("是否参加城乡居民基本养老保险", "基本养老保险", "是否参加新型农村社会养老保险"), width=8),
    _C("是否享受低保", MEMBER, "on_dibao", "bool", synonyms=("享受低保",), width=8),
    _C("是否特困供养", MEMBER, "on_tekun", "bool", synonyms=("是否享受特困供养", "特困供养", "是否五保"), width=8),
    _C("联系电话", HOUSEHOLD, "phone", "digits", synonyms=("电话", "联系方式", "手机号码", "户主电话"), width=13),
    _C("识别标准", HOUSEHOLD, "standard", "choice", Standard,
       aliases={"国家": "national", "国标": "national", "省定": "provincial", "市定": "city"}, width=9),
    _C("贫困户属性", HOUSEHOLD, "attribute", "choice", Attribute, synonyms=("贫困户类型", "户属性"),
       aliases={"一般户": "general", "一般贫困": "general", "低保户": "dibao", "低保": "dibao",
                "特困户": "tekun", "五保户": "tekun", "五保贫困户": "tekun", "特困供养户": "tekun"}, width=13),
    _C("主要致贫原因", HOUSEHOLD, "main_cause", "choice", Cause, synonyms=("致贫原因",),
       aliases={"病": "illness", "残": "disability", "学": "schooling", "灾": "disaster",
                "缺劳动力": "labour", "交通落后": "transport", "自身发展动力不足": "motivation",
                "缺乏发展动力": "motivation"}, required=True, width=10),
    _C("其他致贫原因", HOUSEHOLD, "other_causes", "choices", Cause, synonyms=("次要致贫原因",), width=14),
    _C("识别年度", HOUSEHOLD, "identified_year", "int", synonyms=("识别年份", "纳入年度", "建档年度"),
       required=True, width=8),
    _C("脱贫年度", HOUSEHOLD, "exit_year", "int", synonyms=("脱贫年份", "实际脱贫年度"), width=8),
    _C("户状态", HOUSEHOLD, "status", "choice", Status, synonyms=("贫困户状态", "脱贫状态", "状态"),
       aliases={"贫困户": "poor", "未脱贫": "poor", "已脱贫": "exited", "已脱贫享受政策": "exited",
                "脱贫享受政策": "exited", "脱贫不享受政策": "exited_stable", "已注销": "cancelled"}, width=14),
    # Not in REFERENCE §12's list, which has no place for it: without it a cancelled household cannot
    # be carried over from an earlier register (注销 always has a reason, §2).
    _C("注销原因", HOUSEHOLD, "cancel_reason", "choice", CancelReason,
       aliases={"死亡": "all_dead", "迁出": "moved_away", "错评": "wrongly_registered"}, width=10),
    _C("年度", YEARLY, "year", "int", synonyms=("收入年度", "统计年度"), width=6),
    _C("工资性收入", YEARLY, "wage_income", "money", synonyms=("工资性收入（元）", "务工收入"), width=10),
    _C("生产经营性收入", YEARLY, "business_income", "money", synonyms=("经营性收入", "家庭经营性收入"), width=10),
    _C("财产性收入", YEARLY, "property_income", "money", width=10),
    _C("转移性收入", YEARLY, "transfer_income", "money", width=10),
    _C("生产经营性支出", YEARLY, "business_expense", "money", synonyms=("经营性支出", "生产性支出"), width=10),
    _C("耕地面积", HOUSEHOLD, "cultivated_land", "decimal", width=8),
    # Not in REFERENCE §12's list either (it is a §1 field): the registry checks it against 耕地面积, so a
    # sheet that lowers 耕地面积 must be able to show and correct it (issue 12, item 6).
    _C("有效灌溉面积", HOUSEHOLD, "irrigated_land", "decimal", synonyms=("灌溉面积",), width=8),
    _C("林地面积", HOUSEHOLD, "forest_land", "decimal", width=8),
    _C("住房面积", HOUSEHOLD, "house_area", "decimal", width=8),
    _C("危房等级", HOUSEHOLD, "danger_grade", "choice", DangerGrade,
       aliases={"A级": "A", "B级": "B", "C级": "C", "D级": "D", "a": "A", "b": "B", "c": "C", "d": "D"},
       width=7),
    _C("是否通生活用电", HOUSEHOLD, "domestic_power", "bool", synonyms=("通生活用电", "是否通电"), width=8),
    _C("饮水是否安全", HOUSEHOLD, "water_safe", "bool", synonyms=("饮水安全", "是否饮水安全"), width=8),
    _C("有无卫生厕所", HOUSEHOLD, "sanitary_toilet", "bool", synonyms=("是否有卫生厕所", "卫生厕所"), width=8),
    _C("与村主干路距离", HOUSEHOLD, "road_distance_km", "decimal",
       synonyms=("距村主干路距离", "与村主干路距离（公里）"), width=8),
    _C("入户路类型", HOUSEHOLD, "road_type", "choice", RoadType,
       aliases={"土路": "dirt", "沙石路": "gravel", "柏油路": "asphalt"}, width=8),
    _C("主要燃料类型", HOUSEHOLD, "fuel", "choice", Fuel, synonyms=("燃料类型",),
       aliases={"柴": "firewood", "木柴": "firewood", "煤": "coal", "液化气": "lpg", "电力": "electric"},
       width=10),
    _C("开户银行", HOUSEHOLD, "bank_name", "text", synonyms=("开户行",), width=12),
    _C("银行账号", HOUSEHOLD, "bank_account", "digits", synonyms=("银行卡号", "账号", "一卡通账号"), width=22),
    _C("帮扶责任人", INFO, "cadre_names", "text", synonyms=("帮扶人", "帮扶干部"), width=10),
    _C("帮扶责任人电话", INFO, "cadre_phones", "text", synonyms=("帮扶人电话", "帮扶干部电话"), width=13),
)

BY_HEADER: dict[str, Column] = {c.header: c for c in COLUMNS}
#: Columns a new household or member needs (an existing one keeps its values when they are absent).
REQUIRED: tuple[Column, ...] = tuple(c for c in COLUMNS if c.required)
#: The columns every sheet needs, partial or not: the keys that find the household and the member. A
#: sheet of a few columns (户编号, 证件号码, 联系电话) updates just those columns (issue 12, item 6).
KEYS: tuple[Column, ...] = tuple(c for c in COLUMNS if c.header in ("户编号", "证件号码"))
#: The header row is the first row that contains one of these (REFERENCE §12).
ID_HEADERS = ("证件号码", "身份证号", "公民身份号码", "身份证号码", "身份证件号码")
#: Rows whose first cells say this are totals, not members.
TOTAL_MARKERS = ("合计", "总计", "小计", "共计")


def columns_for(target: str) -> tuple[Column, ...]:
    return tuple(c for c in COLUMNS if c.target == target)
