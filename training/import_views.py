"""Imports: an organisme's accounts upload CSV files of inscriptions or hours."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from training import imports
from training.permissions import organisme_account_required


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV",
        help_text="Séparateur point-virgule, encodage UTF-8 ou Windows-1252, 2 Mo au plus.",
    )

    def clean_fichier(self):
        uploaded = self.cleaned_data["fichier"]
        if uploaded.size > imports.MAX_FILE_SIZE:
            raise forms.ValidationError(
                "Le fichier dépasse la taille maximale de %(size)s Mo."
                % {"size": imports.MAX_FILE_SIZE // (1024 * 1024)}
            )
        return uploaded


# What each column holds, shown on the upload page next to the example files.
COLUMN_HELP = {
    imports.INSCRIPTIONS: [
        ("numero_bdc", "numéro du bon de commande de l’action"),
        ("nom", "nom du stagiaire"),
        ("prenom", "prénom du stagiaire"),
        ("date_naissance", "date de naissance, JJ/MM/AAAA"),
        ("identifiant_france_travail", "identifiant France Travail du stagiaire"),
        ("date_entree", "date d’entrée en formation, JJ/MM/AAAA"),
        ("date_sortie", "date de sortie, JJ/MM/AAAA, facultative"),
    ],
    imports.HEURES: [
        ("numero_bdc", "numéro du bon de commande de l’action"),
        ("identifiant_france_travail", "identifiant France Travail d’un stagiaire inscrit"),
        ("mois", "mois déclaré, MM/AAAA"),
        ("heures", "heures réalisées dans le mois, avec une virgule ou un point décimal"),
    ],
}
KIND_TITLES = {
    imports.INSCRIPTIONS: "Inscriptions",
    imports.HEURES: "Heures réalisées",
}


@organisme_account_required
def upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.import_file(
            organisme=request.user.organisme,
            raw=form.cleaned_data["fichier"].read(imports.MAX_FILE_SIZE + 1),
            acting_account=request.user,
        )
        if result.succeeded:
            messages.success(
                request,
                "Import des %(kind)s réussi : %(summary)s."
                % {"kind": KIND_TITLES[result.kind].lower(), "summary": result.summary()},
            )
            return redirect("imports:upload")
    kinds = [
        {"kind": kind, "title": KIND_TITLES[kind], "columns": COLUMN_HELP[kind]}
        for kind in (imports.INSCRIPTIONS, imports.HEURES)
    ]
    return render(request, "imports/upload.html", {"form": form, "result": result, "kinds": kinds})


@organisme_account_required
def example(request, kind):
    if kind not in imports.COLUMNS:
        raise Http404
    response = HttpResponse(imports.example_file(kind, request.user.organisme), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="exemple_{kind}.csv"'
    return response
