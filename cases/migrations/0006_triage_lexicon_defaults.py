"""The default triage lexicon (cases/lexicon_defaults.py, per shared/triage/GUIDE.md): the bare
word list of SPEC §2 is gone with its model; these rows are edited in the admin from now on."""

from decimal import Decimal

from django.db import migrations

from cases.lexicon_defaults import entries


def load(apps, schema_editor):
    LexiconEntry = apps.get_model("cases", "LexiconEntry")
    LexiconEntry.objects.bulk_create([
        LexiconEntry(phrase=phrase, language=language, kind=kind, value=value,
                     weight=Decimal(str(weight)))
        for phrase, language, kind, value, weight in entries()
    ], ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("cases", "LexiconEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_triage_reading")]
    operations = [migrations.RunPython(load, unload)]
