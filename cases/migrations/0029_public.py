import cases.validators
import django.db.models.deletion
from django.db import migrations, models


def fill_slugs(apps, schema_editor):
    """Each existing municipality's slug from its name (æ→ae, ø→oe, å→aa), unique and
    clear of the site's other paths."""
    Municipality = apps.get_model("cases", "Municipality")
    taken = set(cases.validators.reserved_first_segments())
    for municipality in Municipality.objects.order_by("pk"):
        base = cases.validators.public_slug_of(municipality.name) or "kommune"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        Municipality.objects.filter(pk=municipality.pk).update(slug=slug)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0028_digital_post"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicationVersion",
            fields=[
                (
                    "municipality",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="publication",
                        serialize=False,
                        to="cases.municipality",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="historicalmunicipality",
            name="publish_refusals",
            field=models.BooleanField(
                default=False,
                help_text="Refused and rejected applications are shown in the public register as well, with the association's name and the title.",
                verbose_name="publish refusals in the grants register",
            ),
        ),
        migrations.AddField(
            model_name="historicalmunicipality",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="The first part of the public pages' address, e.g. »naestved« for /naestved/. Lower-case letters, digits and hyphens. Blank: made from the name.",
                max_length=60,
                validators=[cases.validators.validate_public_slug],
                verbose_name="address of the public pages",
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="publish_refusals",
            field=models.BooleanField(
                default=False,
                help_text="Refused and rejected applications are shown in the public register as well, with the association's name and the title.",
                verbose_name="publish refusals in the grants register",
            ),
        ),
        migrations.AddField(
            model_name="municipality",
            name="slug",
            # No index yet (a SlugField's own index would clash with the unique one's on
            # PostgreSQL): the slugs are filled first, then the field becomes what it is.
            field=models.CharField(blank=True, max_length=60, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="municipality",
            name="slug",
            field=models.SlugField(
                blank=True,
                help_text="The first part of the public pages' address, e.g. »naestved« for /naestved/. Lower-case letters, digits and hyphens. Blank: made from the name.",
                max_length=60,
                unique=True,
                validators=[cases.validators.validate_public_slug],
                verbose_name="address of the public pages",
            ),
        ),
    ]
