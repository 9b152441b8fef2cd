"""The committed Bootstrap subset is what its Sass sources build, and holds every Bootstrap class the pages use.

Rebuilding fetches Bootstrap's Sass sources with npm (once per checkout, into .cache/), so these
tests need npm, as `manage.py build_css` does; `bash .ci/venv --dev` installs it.
"""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from bookings.forms import DetailsForm, StaffBookingForm, StaffMoveForm
from clinic.stylesheet import (
    BASE_DIR,
    OUTPUT,
    bootstrap_package,
    sources_digest,
    stamped_digest,
    stylesheet_build,
    without_unused,
)

APP_FOLDERS = [path for path in BASE_DIR.iterdir() if (path / "__init__.py").exists() or (path / "apps.py").exists()]


@pytest.fixture(scope="module")
def bootstrap():
    return bootstrap_package()


def _classes_in_css(css: str) -> set[str]:
    without_values = re.sub(r"\{[^{}]*\}", "{}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    return set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", without_values))


def _class_tokens(markup: str) -> set[str]:
    tokens = set()
    for value in re.findall(r'class="([^"]*)"', markup):
        value = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", value)
        tokens.update(value.split())
    return tokens


def _templates() -> list[Path]:
    """Every page template; the admin's own (they use the admin's styles) and emails (inline styles) aside."""
    return [
        path
        for folder in APP_FOLDERS
        for path in folder.glob("templates/**/*.html")
        if "admin" not in path.relative_to(folder).parts and "email" not in path.relative_to(folder).parts
    ]


def _script_classes() -> set[str]:
    found = set()
    for path in (path for folder in APP_FOLDERS for path in folder.glob("static/**/*.js")):
        text = path.read_text()
        for call in re.findall(r"classList\.(?:add|remove|toggle)\(([^)]*)\)", text):
            found.update(token for literal in re.findall(r'"([^"]*)"', call) for token in literal.split())
        for literal in re.findall(r'className\s*=\s*"([^"]*)"', text):
            found.update(literal.split())
        found |= _class_tokens(text)
    return found


def _crispy_form_classes() -> set[str]:
    """The classes crispy-forms gives the fields of our forms, valid and with errors."""
    template = Template("{% load crispy_forms_tags %}{% for field in form %}{{ field|as_crispy_field }}{% endfor %}")
    markup = ""
    for form_class in (DetailsForm, StaffBookingForm, StaffMoveForm):
        for form in (form_class(), form_class(data={})):
            markup += template.render(Context({"form": form}))
    return _class_tokens(markup)


def test_the_built_stylesheet_is_stamped_with_the_current_sass_sources():
    assert stamped_digest(OUTPUT.read_text()) == sources_digest(), (
        "clinic/sass/bootstrap.scss changed since clinic/static/clinic/css/bootstrap.min.css was built: "
        "run `manage.py build_css` and commit the result."
    )


def test_building_the_stylesheet_again_gives_the_committed_file(bootstrap):
    assert stylesheet_build(package=bootstrap) == OUTPUT.read_text(), "run `manage.py build_css` and commit the result"


@pytest.mark.django_db
def test_every_bootstrap_class_a_template_script_or_form_uses_is_in_the_built_stylesheet(bootstrap):
    used = set().union(*(_class_tokens(path.read_text()) for path in _templates()))
    used |= _script_classes() | _crispy_form_classes()
    bootstrap_classes = _classes_in_css((bootstrap / "dist" / "css" / "bootstrap.css").read_text())
    built = _classes_in_css(OUTPUT.read_text())
    assert used & bootstrap_classes, "the scan should find the Bootstrap classes the pages use"
    missing = sorted((used & bootstrap_classes) - built)
    assert missing == [], (
        f"keep these (clinic/sass/bootstrap.scss, UNUSED_CLASSES in clinic/stylesheet.py) and run "
        f"`manage.py build_css`: {missing}"
    )


def test_pruning_drops_only_the_selectors_that_name_an_unused_class():
    css = (
        "/*! banner */.btn,.nav-tabs .nav-link{color:red}.nav-pills{margin:0}"
        "@media (min-width:768px){.nav-tabs{gap:0}.col-md-6{flex:0 0 auto}}@media print{.offset-2{x:0}}"
        ".a:not(.b,.c){top:0}.input-group>:not(.dropdown-menu){left:0}@keyframes spin{to{transform:rotate(1turn)}}\n"
    )
    assert without_unused(css) == (
        "/*! banner */.btn{color:red}@media (min-width:768px){.col-md-6{flex:0 0 auto}}"
        ".a:not(.b,.c){top:0}.input-group>:not(.dropdown-menu){left:0}@keyframes spin{to{transform:rotate(1turn)}}\n"
    )
