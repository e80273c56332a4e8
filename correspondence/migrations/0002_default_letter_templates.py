from django.db import migrations


def install(apps, schema_editor):
    # The texts live in one place, correspondence.services.DEFAULT_TEMPLATES;
    # existing templates (an admin's edits) are never overwritten.
    from correspondence.services import DEFAULT_TEMPLATES

    LetterTemplate = apps.get_model("correspondence", "LetterTemplate")
    for spec in DEFAULT_TEMPLATES:
        LetterTemplate.objects.get_or_create(
            key=spec["key"], defaults={k: str(v) for k, v in spec.items() if k != "key"}
        )


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
