"""Households sorted by 户主 in pinyin order (issue 12 #14): the head's name as a pinyin sort key."""

from django.db import migrations, models


def fill(apps, schema_editor) -> None:
    """The sort key of every household's head (households written before this migration)."""
    from fupin.lib.pinyin import sort_key

    household = apps.get_model("registry", "Household")
    batch = []
    for pk, name in household.objects.exclude(head_name="").values_list("pk", "head_name").iterator(chunk_size=5000):
        batch.append(household(pk=pk, head_name_pinyin=sort_key(name)))
        if len(batch) >= 5000:
            household.objects.bulk_update(batch, ["head_name_pinyin"])
            batch = []
    if batch:
        household.objects.bulk_update(batch, ["head_name_pinyin"])


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0002_rural_population'),
        ('registry', '0005_entry_member_id_suffix_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='household',
            name='head_name_pinyin',
            field=models.CharField(blank=True, default='', editable=False, max_length=200, verbose_name='户主姓名拼音排序键'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='household',
            index=models.Index(fields=['head_name_pinyin', 'head_name', 'id'], name='household_head_pinyin_idx'),
        ),
    ]
