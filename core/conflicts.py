"""What a user is told when someone saved the record they were editing
(core.versioning.StaleEdit): who, when, and the stored values beside theirs."""

from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.choices import flatten_choices


def editor_name(record: Any) -> str:
    """ "Prénom NOM", as the conflict message names whoever saved last."""
    editor = record.updated_by
    if editor is not None:
        return f"{editor.first_name} {editor.last_name}".strip()
    return record.updated_by_name or "un autre utilisateur"


def conflict_message(record: Any) -> str:
    when = timezone.localtime(record.updated_at)
    return (
        "Ces informations ont été modifiées par %(name)s le %(date)s à %(time)s pendant que vous les modifiiez. "
        "Vos saisies n’ont pas été enregistrées."
    ) % {"name": editor_name(record), "date": f"{when:%d/%m/%Y}", "time": f"{when:%H:%M}"}


def _shown(field: forms.Field, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if hasattr(field, "choices") and field.choices:
        # Grouped choices (an <optgroup>) are looked up among their members.
        return str(dict(flatten_choices(field.choices)).get(value, value))
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}"
    return str(formats.localize(value))


def compared_values(form: forms.BaseForm, stored: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per form field: its label, the stored value and the user's.

    `stored` maps field names to the values now saved; the form is bound to
    what the user typed (read raw, since it may not be valid)."""
    rows = []
    for name, stored_value in stored.items():
        field = form.fields[name]
        typed = form.data.get(form.add_prefix(name), "")
        if form.is_bound and not form.errors.get(name) and name in getattr(form, "cleaned_data", {}):
            typed = form.cleaned_data[name]
        rows.append(
            {
                "label": field.label,
                "stored": _shown(field, stored_value),
                "yours": _shown(field, typed),
                "differs": _shown(field, stored_value) != _shown(field, typed),
            }
        )
    return rows


def conflict_context(form: forms.BaseForm, current: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """The conflict report for a form page: the message, both sets of values,
    and the user's values again, now based on the stored version, so that
    "Enregistrer mes valeurs" re-applies them in one click."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data[form.add_prefix("version")] = current.version
    form.data = data
    return {"conflict": conflict_message(current), "compared": compared_values(form, stored)}
