# The sheets' view of the jobs app's Job: a proxy with the sheets' kinds and file names.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0003_generic_job'),
        ('sheets', '0002_job_moved_to_jobs'),
    ]

    operations = [
        migrations.CreateModel(
            name='SheetJob',
            fields=[
            ],
            options={
                'verbose_name': '导入导出任务',
                'verbose_name_plural': '导入导出任务',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('jobs.job',),
        ),
    ]
