"""The one forbidden use of poverty funds a seed names in its own words (seed 004: “千万不能拿扶贫的钱去搞高标准的
新农村建设，做形象工程”), added to the negative list beside REFERENCE §9's entries (whose wording no seed fixes).
Frozen here as written; ``services_funds.NEGATIVE_SEED_004`` is the same entry for ``fupin funds seed``."""

from django.db import migrations

NAME = "高标准新农村建设和形象工程"
KEYWORDS = ("形象工程", "高标准新农村", "高标准的新农村")
BASIS = "种子文件 004：“千万不能拿扶贫的钱去搞高标准的新农村建设，做形象工程”"


def seed(apps, schema_editor):
    NegativeUse = apps.get_model("projects", "NegativeUse")
    if not NegativeUse.objects.filter(area__isnull=True, name=NAME).exists():
        NegativeUse.objects.create(name=NAME, keywords="\n".join(KEYWORDS), note=BASIS)


class Migration(migrations.Migration):

    dependencies = [("projects", "0004_batch_names_and_cancel")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
