# The generic job: any registered kind (40 characters, no fixed choices), the import mode gone (in
# params since 0002), at most one follow-up job per job, named "jobs" on the user.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0002_rural_population'),
        ('jobs', '0002_mode_into_params'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='job',
            options={'ordering': ['-created_at'], 'verbose_name': '后台任务', 'verbose_name_plural': '后台任务'},
        ),
        migrations.RemoveField(
            model_name='job',
            name='mode',
        ),
        migrations.AlterField(
            model_name='job',
            name='filename',
            field=models.CharField(blank=True, max_length=200, verbose_name='文件名'),
        ),
        migrations.AlterField(
            model_name='job',
            name='kind',
            field=models.CharField(max_length=40, verbose_name='类型'),
        ),
        migrations.AlterField(
            model_name='job',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='jobs', to=settings.AUTH_USER_MODEL, verbose_name='操作人'),
        ),
        migrations.AddConstraint(
            model_name='job',
            constraint=models.UniqueConstraint(fields=('source',), name='jobs_one_follow_up_per_job'),
        ),
    ]
