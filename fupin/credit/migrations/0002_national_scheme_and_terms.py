"""The national defaults a county starts from (REFERENCE §10; *unverified*, configurable in the pages):
a 100-point rating scheme (诚信度 30, 劳动力与技能 25, 收入水平 25, 家庭资产 20; AAA ≥ 90 → 50,000,
AA ≥ 80 → 30,000, A ≥ 60 → 20,000 (10–20k: a bank may lend less), B → no credit), and each year's rate
(the 1-year benchmark rate, the 1-year LPR from 2020, as at the year's start or its main setting) and
subsidy share (fully subsidised; 70 % for new loans in 2024–25). Idempotent."""

from decimal import Decimal

from django.db import migrations

INDICATORS = [
    {"key": "integrity", "label": "诚信度", "max": 30},
    {"key": "labour", "label": "劳动力与技能", "max": 25},
    {"key": "income", "label": "收入水平", "max": 25},
    {"key": "assets", "label": "家庭资产", "max": 20},
]
GRADES = [
    {"grade": "AAA", "min": 90, "line": "50000.00"},
    {"grade": "AA", "min": 80, "line": "30000.00"},
    {"grade": "A", "min": 60, "line": "20000.00"},
    {"grade": "B", "min": 0, "line": "0.00"},
]
#: year → (annual rate %, subsidy share)
TERMS = {
    2015: ("4.3500", "1"), 2016: ("4.3500", "1"), 2017: ("4.3500", "1"), 2018: ("4.3500", "1"),
    2019: ("4.3500", "1"), 2020: ("3.8500", "1"), 2021: ("3.8500", "1"), 2022: ("3.6500", "1"),
    2023: ("3.4500", "1"), 2024: ("3.1000", "0.7"), 2025: ("3.0000", "0.7"), 2026: ("3.0000", "0.7"),
}


def add_defaults(apps, schema_editor):
    scheme = apps.get_model("credit", "RatingScheme")
    terms = apps.get_model("credit", "CreditTerms")
    if not scheme.objects.filter(area__isnull=True).exists():
        scheme.objects.create(area=None, year=2015, version=1, name="扶贫小额信贷评级授信（全国参考）",
                              indicators=INDICATORS, grades=GRADES, valid_years=1,
                              note="参考方案（待核实），县级可另定本县方案")
    for year, (rate, share) in TERMS.items():
        note = "2026 年沿用 2025 年设定（待核实）" if year == 2026 else ""
        terms.objects.get_or_create(area=None, year=year, defaults={
            "annual_rate": Decimal(rate), "subsidy_share": Decimal(share), "note": note})


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
