# Data for the generic job (schema in 0003): the import mode, a sheets notion, moves from its own
# column into params["mode"]; and where two import jobs confirm the same check (two confirms sent at
# once before 0003's constraint), the later ones stop pointing at the check (their files were read
# from it and have been deleted since).

from django.db import migrations


def mode_into_params(apps, schema_editor):
    Job = apps.get_model('jobs', 'Job')
    for job in Job.objects.filter(kind='import').only('pk', 'mode', 'params').iterator():
        job.params = {**(job.params or {}), 'mode': job.mode}
        job.save(update_fields=['params'])


def mode_from_params(apps, schema_editor):
    Job = apps.get_model('jobs', 'Job')
    for job in Job.objects.filter(kind='import').only('pk', 'mode', 'params').iterator():
        job.mode = (job.params or {}).get('mode') or 'valid'
        job.save(update_fields=['mode'])


def one_follow_up_per_job(apps, schema_editor):
    Job = apps.get_model('jobs', 'Job')
    seen = set()
    for pk, source in (Job.objects.filter(source__isnull=False).order_by('created_at', 'pk')
                       .values_list('pk', 'source_id')):
        if source in seen:
            Job.objects.filter(pk=pk).update(source=None)
        seen.add(source)


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(mode_into_params, mode_from_params),
        migrations.RunPython(one_follow_up_per_job, migrations.RunPython.noop),
    ]
