"""Every form field on Warta's pages is rendered by Django's form renderer with Warta's field
template (``FORM_RENDERER``, ``ui/field.html``): ``{{ form.x.as_field_group }}``."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.template import Context, Template
from django.test.html import Element, parse_html
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "warta"


class ExampleForm(forms.Form):
    title = forms.CharField(label="Judul", max_length=10, help_text="Singkat saja.")
    note = forms.CharField(label="Catatan", required=False, widget=forms.Textarea)


def _group(form: forms.Form, name: str) -> Element:
    rendered = Template("{{ field.as_field_group }}").render(Context({"field": form[name]}))
    return parse_html(rendered)


def _all(element, name: str) -> list[Element]:
    found = []
    for child in getattr(element, "children", []):
        if isinstance(child, Element):
            if child.name == name:
                found.append(child)
            found += _all(child, name)
    return found


def _attrs(element: Element) -> dict:
    return dict(element.attributes)


def _text(element) -> str:
    if isinstance(element, str):
        return element
    return "".join(_text(child) for child in element.children)


def test_the_project_renderer_uses_the_warta_field_template():
    from warta.ui.forms import WartaFormRenderer

    assert settings.FORM_RENDERER == "warta.ui.forms.WartaFormRenderer"
    assert WartaFormRenderer.field_template_name == "ui/field.html"
    assert ExampleForm().renderer.field_template_name == "ui/field.html"


def test_a_field_has_its_label_widget_and_help_linked_for_screen_readers():
    group = _group(ExampleForm(), "title")
    assert group.name == "div" and _attrs(group)["class"] == "field"
    (label,) = _all(group, "label")
    assert _attrs(label)["for"] == "id_title"
    assert _text(label).replace(" ", "") == "Judul*"  # required
    assert _attrs(_all(label, "span")[0])["aria-hidden"] == "true"  # the star is not read out
    (widget,) = _all(group, "input")
    (help_text,) = _all(group, "span")[1:]
    assert _attrs(help_text)["class"] == "helptext"
    assert _text(help_text) == "Singkat saja."
    assert _attrs(widget)["id"] == "id_title"
    assert _attrs(widget)["aria-describedby"] == _attrs(help_text)["id"] == "id_title_helptext"
    assert not _all(group, "ul")


def test_errors_are_announced_and_linked_to_the_widget():
    with translation.override("id"):
        form = ExampleForm(data={"title": "x" * 11})
        form.is_valid()
        group = _group(form, "title")
    assert _attrs(group)["class"] == "field field-error"
    (errors,) = _all(group, "ul")
    assert _attrs(errors)["class"] == "errorlist"
    assert _attrs(errors)["role"] == "alert"
    assert "paling banyak 10 karakter" in _text(errors)
    (widget,) = _all(group, "input")
    assert _attrs(widget)["aria-invalid"] == "true"
    assert _attrs(widget)["aria-describedby"].split() == [
        "id_title_helptext",
        _attrs(errors)["id"],
    ]


def test_an_optional_field_has_no_star():
    (label,) = _all(_group(ExampleForm(), "note"), "label")
    assert _text(label).strip() == "Catatan"


def test_no_template_includes_a_field_template_of_its_own():
    """One field template for every app: no page includes another app's ``_field.html``."""
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("templates/**/*.html")
        if "_field.html" in path.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders
    assert not list(SRC.rglob("templates/**/_field.html"))
