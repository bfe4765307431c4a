from django.db import migrations

CODES = [
    "children",
    "families",
    "older",
    "disability",
    "mental_health",
    "socially_vulnerable",
    "lonely",
    "refugees",
    "relatives",
    "other",
]


def create(apps, schema_editor):
    TargetGroup = apps.get_model("cases", "TargetGroup")
    for code in CODES:
        TargetGroup.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_after_grant")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
