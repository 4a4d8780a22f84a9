"""What the seed documents say about the national defaults of 0002 (issue 15, fin15): checked against
/work/shared/seeds (000 罗平县 2015, 004 重庆/吴忠) and REFERENCE §10. The seeds name no rating indicator,
point, grade or credit line, and no rate or subsidy share: the defaults stay the configurable reference
of REFERENCE §10 (*unverified*), and their notes now say so, quoting what the seeds do say. Only notes
still as 0002 wrote them are changed (a county's own words are kept). Idempotent."""

from django.db import migrations

SCHEME_NOTE_0002 = "参考方案（待核实），县级可另定本县方案"
SCHEME_NOTE = ("参考方案（待核实）：种子文件未规定评级指标、分值、等级与授信额度。罗平县（2015）只写“对12285户贫困户实行一次性"
               "贷款授信,信用贷款”；吴忠市只写“建立了宁夏首个建档立卡贫困户评级授信系统,对贫困户给予授信贷款,免抵押、免担保、"
               "补利息”。县级可另定本县方案")
TERMS_NOTE = "利率与贴息比例待核实：种子文件只写“给予贷款贴息扶持”（罗平县）、“补利息”（吴忠市），未规定比例"


def add_notes(apps, schema_editor):
    scheme = apps.get_model("credit", "RatingScheme")
    terms = apps.get_model("credit", "CreditTerms")
    scheme.objects.filter(area__isnull=True, note=SCHEME_NOTE_0002).update(note=SCHEME_NOTE)
    terms.objects.filter(area__isnull=True, note="").update(note=TERMS_NOTE)


class Migration(migrations.Migration):
    dependencies = [("credit", "0003_recovery")]
    operations = [migrations.RunPython(add_notes, migrations.RunPython.noop)]
