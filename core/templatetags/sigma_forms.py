from django import forms, template

register = template.Library()


@register.filter
def fields_in_error(form: forms.BaseForm) -> list[forms.BoundField]:
    """The visible fields of `form` that have errors, in the order of the form."""
    return [field for field in form.visible_fields() if field.errors]
