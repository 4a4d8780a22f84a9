# The Job model, moved here from the sheets app. The table "sheets_job" was created by
# sheets/0001_initial and keeps its rows: this migration adds the model to this app's state only,
# exactly as sheets/0001_initial left it; 0002 and 0003 then make it the generic job.

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('areas', '0002_rural_population'),
        ('sheets', '0002_job_moved_to_jobs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Job',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('kind', models.CharField(choices=[('check', '导入检查'), ('import', '导入'), ('export', '导出')], max_length=10, verbose_name='类型')),
                        ('state', models.CharField(choices=[('queued', '排队中'), ('running', '进行中'), ('done', '已完成'), ('failed', '失败'), ('cancelled', '已取消')], default='queued', max_length=10, verbose_name='状态')),
                        ('filename', models.CharField(max_length=200, verbose_name='文件名')),
                        ('mode', models.CharField(choices=[('valid', '导入有效的户，拒绝有错误的户'), ('all', '全部有效才导入，否则什么也不导入')], default='valid', max_length=10, verbose_name='导入方式')),
                        ('params', models.JSONField(blank=True, default=dict, verbose_name='参数')),
                        ('result', models.JSONField(blank=True, default=dict, verbose_name='结果')),
                        ('message', models.TextField(blank=True, verbose_name='说明')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                        ('area', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='areas.area', verbose_name='限定区划')),
                        ('source', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='jobs.job', verbose_name='检查任务')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sheet_jobs', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                    ],
                    options={
                        'verbose_name': '导入导出任务',
                        'verbose_name_plural': '导入导出任务',
                        'ordering': ['-created_at'],
                        'db_table': 'sheets_job',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
