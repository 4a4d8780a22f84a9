# The Job model moved to the jobs app (fupin/jobs), keeping its table "sheets_job" and its rows:
# removed from this app's migration state only; jobs/0001_initial takes it over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sheets', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Job')],
            database_operations=[],
        ),
    ]
