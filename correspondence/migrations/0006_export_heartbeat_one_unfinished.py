from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def _settle_unfinished(apps, schema_editor):
    """
    Exports queued or building before the heartbeat existed: their last sign
    of life is when they were asked for, and of several unfinished ones of
    the same case, kind and audience only the newest is kept going.
    """
    CaseExport = apps.get_model("correspondence", "CaseExport")
    unfinished = CaseExport.objects.filter(status__in=["queued", "running"])
    for export in unfinished.order_by("-created_at"):
        CaseExport.objects.filter(pk=export.pk).update(heartbeat_at=export.created_at)
    seen = set()
    for export in unfinished.order_by("-created_at"):
        key = (export.request_id, export.kind, export.include_private)
        if key in seen:
            CaseExport.objects.filter(pk=export.pk).update(
                status="failed", message="It stopped without finishing — try again."
            )
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0005_letter_delivery_methods"),
        ("optouts", "0005_record_of_fact"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="caseexport",
            name="case_updated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="caseexport",
            name="heartbeat_at",
            field=models.DateTimeField(default=timezone.now),
        ),
        migrations.RunPython(_settle_unfinished, migrations.RunPython.noop),
    ]
