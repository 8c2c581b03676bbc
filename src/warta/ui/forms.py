"""How every form field of Warta's pages looks: ``{{ form.field.as_field_group }}``.

``FORM_RENDERER`` (settings) is ``WartaFormRenderer``; its field template
``ui/field.html`` gives each field its label (with ``*`` when required), the widget, the help
text and the errors, announced with ``role="alert"``. The help text and the error list carry the
ids that Django's ``aria-describedby`` on the widget points to (``<id>_helptext``, ``<id>_error``).
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class WartaFormRenderer(DjangoTemplates):
    """Django's default renderer, with Warta's field group."""

    field_template_name = "ui/field.html"
