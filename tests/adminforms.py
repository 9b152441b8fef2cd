"""Admin change forms filled in as the page shows them, for tests that save through the admin."""

from django.forms import MultiWidget


def _field_values(form, data):
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if value in (None, "") or (hasattr(value, "name") and not value):
            continue
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{index}"] = part
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [getattr(item, "pk", item) for item in value]
        else:
            data[key] = getattr(value, "pk", value)


def change_form(response) -> dict:
    """The admin change form's data exactly as the page shows it, inlines and their management forms included."""
    data: dict = {}
    _field_values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for form in formset.forms:
            _field_values(form, data)
    return data
