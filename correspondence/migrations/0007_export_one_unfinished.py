from django.db import migrations, models


class Migration(migrations.Migration):
    """
    Apart from 0006: on PostgreSQL an index cannot be built in the
    transaction that just updated the table's rows.
    """

    dependencies = [("correspondence", "0006_export_heartbeat_one_unfinished")]

    operations = [
        migrations.AddConstraint(
            model_name="caseexport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("request", "kind", "include_private"),
                name="export_one_unfinished",
            ),
        ),
    ]
