"""Audit rows written without an area (an error sheet downloaded, an import that wrote nothing …)
were visible to global administrators only. Give each the actor's own area, as
fupin.audit.services.record now does for new rows (issue 12 item 4). The one change ever made to
written audit rows: it adds where a row belongs and changes nothing of what it says."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def area_from_actor(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    User = apps.get_model("accounts", "User")
    path = User.objects.filter(pk=OuterRef("actor_id")).values("area__path")[:1]
    # The historical model's manager is a plain one: the append-only queryset is not in migrations.
    AuditEvent.objects.filter(area_path="", actor__area__isnull=False).update(area_path=Subquery(path))


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_alter_auditevent_kind"),
        ("accounts", "0003_apitoken"),
        ("areas", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(area_from_actor, migrations.RunPython.noop),
    ]
