"""National poverty lines 2011–2020 and the 2021 monitoring line (REFERENCE §3, §7).

Values are yuan per person per year. The national line is 2300 yuan at 2010 prices, restated each
year; 2017, 2018 and 2020 are marked 待核实 (unverified) so that a county can correct them through
``poverty_line_set`` or the admin. Re-running is harmless (get_or_create: an existing row, perhaps
already corrected, is left as it is).
"""

from decimal import Decimal

from django.db import migrations

NATIONAL_NOTE = "国家扶贫标准（2010年不变价2300元）"
UNVERIFIED_NOTE = NATIONAL_NOTE + "；数值待核实"
MONITORING_NOTE = "防止返贫监测范围（原则上不低于扶贫标准的1.5倍）"

NATIONAL = {
    2011: 2536,
    2012: 2625,
    2013: 2736,
    2014: 2800,
    2015: 2855,
    2016: 2952,
    2017: 2952,
    2018: 2995,
    2019: 3218,
    2020: 4000,
}
UNVERIFIED = {2017, 2018, 2020}
MONITORING = {2021: 6000}


def lines():
    for year, amount in NATIONAL.items():
        yield year, "national", amount, UNVERIFIED_NOTE if year in UNVERIFIED else NATIONAL_NOTE
    for year, amount in MONITORING.items():
        yield year, "monitoring", amount, MONITORING_NOTE


def add_lines(apps, schema_editor):
    PovertyLine = apps.get_model("registry", "PovertyLine")
    for year, kind, amount, note in lines():
        PovertyLine.objects.get_or_create(
            year=year, kind=kind, area=None, defaults={"amount": Decimal(amount), "note": note}
        )


def remove_lines(apps, schema_editor):
    PovertyLine = apps.get_model("registry", "PovertyLine")
    for year, kind, _amount, _note in lines():
        PovertyLine.objects.filter(year=year, kind=kind, area__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_lines, remove_lines),
    ]
