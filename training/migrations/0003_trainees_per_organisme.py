"""Each organisme gets its own record of its trainees (issue 14, F2), and
texts typed before the rule lose their control and bidirectional characters
(issue 14, F6)."""

from django.db import migrations

from core.text import without_invisible_characters

# Free text of the training records; BDC and invoice numbers are left alone:
# they are unique, and whoever typed them looks them up as they are.
CLEANED = {
    "Stagiaire": ("nom", "prenom"),
    "ActionFormation": ("intitule", "lieu"),
    "DemandeModification": ("objet",),
}


def split_trainees(apps, schema_editor):
    """A trainee enrolled with several organismes is copied for each of them,
    whose inscriptions then point to their own copy; a trainee enrolled
    nowhere belongs to no organisme and is deleted."""
    Stagiaire = apps.get_model("training", "Stagiaire")
    Inscription = apps.get_model("training", "Inscription")
    for stagiaire in Stagiaire.objects.order_by("pk").iterator():
        organismes = sorted(
            set(Inscription.objects.filter(stagiaire=stagiaire).values_list("action__organisme_id", flat=True))
        )
        if not organismes:
            stagiaire.delete()
            continue
        first, *others = organismes
        Stagiaire.objects.filter(pk=stagiaire.pk).update(organisme_id=first)
        for organisme_id in others:
            copy = Stagiaire.objects.create(
                organisme_id=organisme_id,
                nom=stagiaire.nom,
                prenom=stagiaire.prenom,
                date_naissance=stagiaire.date_naissance,
                identifiant_france_travail=stagiaire.identifiant_france_travail,
            )
            Inscription.objects.filter(stagiaire=stagiaire, action__organisme_id=organisme_id).update(stagiaire=copy)


def normalize_identifiants(apps, schema_editor):
    """Identifiants the import stored as typed (spaces, lower case) as the form
    stores them, unless the organisme already has that one."""
    Stagiaire = apps.get_model("training", "Stagiaire")
    for stagiaire in Stagiaire.objects.order_by("pk").iterator():
        normalized = "".join(stagiaire.identifiant_france_travail.split()).upper()
        taken = (
            Stagiaire.objects.filter(organisme_id=stagiaire.organisme_id, identifiant_france_travail=normalized)
            .exclude(pk=stagiaire.pk)
            .exists()
        )
        if normalized != stagiaire.identifiant_france_travail and not taken:
            Stagiaire.objects.filter(pk=stagiaire.pk).update(identifiant_france_travail=normalized)


def clean_texts(apps, schema_editor):
    for model_name, fields in CLEANED.items():
        model = apps.get_model("training", model_name)
        for record in model.objects.only("pk", *fields).iterator():
            cleaned = {field: without_invisible_characters(getattr(record, field)) for field in fields}
            if any(cleaned[field] != getattr(record, field) for field in fields):
                model.objects.filter(pk=record.pk).update(**cleaned)


class Migration(migrations.Migration):
    dependencies = [("training", "0002_trainee_organisme")]

    operations = [
        migrations.RunPython(split_trainees, migrations.RunPython.noop),
        migrations.RunPython(normalize_identifiants, migrations.RunPython.noop),
        migrations.RunPython(clean_texts, migrations.RunPython.noop),
    ]
