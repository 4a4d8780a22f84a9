"""贫困村 / 贫困县退出: thresholds as data, the western provinces, village indicators and exits.

Seeds (REFERENCE §4, §11; get_or_create, so a corrected row is left as it is and re-running is harmless,
tests/conftest.py runs ``add_thresholds`` again after a transactional flush):
- 贫困村: 贫困发生率 below 2% (西部 3%); 村集体经济收入 at least 20,000 yuan — a local rule, *unverified*,
  many provinces set their own figure (some 30,000 or 50,000): a county admin corrects it in /admin/.
- 贫困县: 综合贫困发生率 below 2% (西部 3%), 错退率 ≤ 2%, 漏评率 ≤ 2%, 群众认可度 ≥ 90%.
- 西部省份: the 12 provinces of 西部大开发. Some areas outside them (e.g. 湘西、恩施、延边) were given
  the western policy; add their province only if all of it should take the western thresholds.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


WESTERN = {
    "15": "内蒙古自治区", "45": "广西壮族自治区", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}
WESTERN_NOTE = "西部大开发 12 省（区、市）"
VILLAGE_NOTE = "贫困村退出以贫困发生率为主要衡量标准：原则上降至2%以下（西部地区降至3%以下）"
INCOME_NOTE = "；村集体经济收入下限为地方规定，数值待核实"
COUNTY_NOTE = "贫困县退出：综合贫困发生率低于2%（西部地区低于3%），错退率、漏评率均不高于2%，群众认可度不低于90%"


def thresholds():
    for region, rate in (("general", "2"), ("western", "3")):
        yield {"level": "village", "region": region, "year_from": 2014, "incidence": Decimal(rate),
               "collective_income": Decimal("20000"), "note": VILLAGE_NOTE + INCOME_NOTE}
        yield {"level": "county", "region": region, "year_from": 2014, "incidence": Decimal(rate),
               "wrong_exit": Decimal("2"), "missed_poor": Decimal("2"), "approval": Decimal("90"),
               "note": COUNTY_NOTE}


def add_thresholds(apps, schema_editor):
    province = apps.get_model("identification", "WesternProvince")
    threshold = apps.get_model("identification", "ExitThreshold")
    for code, name in WESTERN.items():
        province.objects.get_or_create(code=code, defaults={"name": name, "note": WESTERN_NOTE})
    for row in thresholds():
        keys = {k: row.pop(k) for k in ("level", "region", "year_from")}
        threshold.objects.get_or_create(**keys, defaults=row)


def remove_thresholds(apps, schema_editor):
    apps.get_model("identification", "ExitThreshold").objects.all().delete()
    apps.get_model("identification", "WesternProvince").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0002_rural_population'),
        ('identification', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WesternProvince',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(help_text='统计用区划代码的前两位，如云南省为 53', max_length=2, unique=True, verbose_name='省级代码')),
                ('name', models.CharField(max_length=20, verbose_name='省份')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
            ],
            options={
                'verbose_name': '西部省份',
                'verbose_name_plural': '西部省份',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='ExitThreshold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('village', '贫困村退出'), ('county', '贫困县摘帽')], max_length=10, verbose_name='层级')),
                ('region', models.CharField(choices=[('general', '中东部'), ('western', '西部')], max_length=10, verbose_name='地区')),
                ('year_from', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2013), django.core.validators.MaxValueValidator(2100)], verbose_name='起始年度')),
                ('incidence', models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='贫困发生率低于（%）')),
                ('wrong_exit', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='错退率不高于（%）')),
                ('missed_poor', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='漏评率不高于（%）')),
                ('approval', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='群众认可度不低于（%）')),
                ('collective_income', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='村集体经济收入不低于（元）')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='依据与说明')),
            ],
            options={
                'verbose_name': '退出标准',
                'verbose_name_plural': '退出标准',
                'ordering': ['level', 'region', '-year_from'],
                'constraints': [models.UniqueConstraint(fields=('level', 'region', 'year_from'), name='exit_threshold_unique')],
            },
        ),
        migrations.CreateModel(
            name='VillageExit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('area_path', models.CharField(db_index=True, editable=False, max_length=15, verbose_name='区划前缀')),
                ('year', models.PositiveSmallIntegerField(verbose_name='退出年度')),
                ('date', models.DateField(verbose_name='批准日期')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                ('area', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='village_exits', to='areas.area', verbose_name='行政村')),
                ('case', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='village_exit', to='identification.case', verbose_name='退出案件')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='批准人')),
            ],
            options={
                'verbose_name': '贫困村退出记录',
                'verbose_name_plural': '贫困村退出记录',
                'ordering': ['area__path'],
                'constraints': [models.UniqueConstraint(fields=('area',), name='village_exit_once')],
            },
        ),
        migrations.CreateModel(
            name='VillageIndicators',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('area_path', models.CharField(db_index=True, editable=False, max_length=15, verbose_name='区划前缀')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2013), django.core.validators.MaxValueValidator(2100)], verbose_name='年度')),
                ('road', models.BooleanField(default=False, help_text='建制村通硬化路', verbose_name='通硬化路')),
                ('water', models.BooleanField(default=False, help_text='农户饮水安全有保障', verbose_name='安全饮水')),
                ('power', models.BooleanField(default=False, help_text='通生产生活用电（农网）', verbose_name='通生活用电')),
                ('clinic', models.BooleanField(default=False, help_text='有标准化卫生室和合格村医', verbose_name='卫生室和村医')),
                ('school', models.BooleanField(default=False, help_text='适龄儿童可就近入学或有寄宿保障', verbose_name='义务教育就学')),
                ('broadband', models.BooleanField(default=False, help_text='通宽带网络', verbose_name='通宽带')),
                ('collective_income', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='村集体经济收入（元）')),
                ('industry', models.CharField(blank=True, max_length=200, verbose_name='主导产业')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='备注')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('area', models.ForeignKey(limit_choices_to={'level': 'village'}, on_delete=django.db.models.deletion.PROTECT, related_name='village_indicators', to='areas.area', verbose_name='行政村')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='填报人')),
            ],
            options={
                'verbose_name': '村级退出指标',
                'verbose_name_plural': '村级退出指标',
                'ordering': ['area__path', '-year'],
                'constraints': [models.UniqueConstraint(fields=('area', 'year'), name='village_indicators_once_a_year')],
            },
        ),
        migrations.RunPython(add_thresholds, remove_thresholds),
    ]
