"""Form fields shared by every app's forms."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from dailypapers.lib.text import xml_safe


class TextField(forms.CharField):
    """A CharField for text people type: a NUL is refused with Django's own message (no
    database may store it as text: PostgreSQL refuses it), and the other characters XML
    cannot hold (dailypapers/lib/text.py xml_safe) are removed, so what is saved can
    appear in every feed. Subclasses that turn the text into something else (a list)
    get the refusal too: Django's null-character validator only looks at strings."""

    def to_python(self, value):
        text = super().to_python(value)
        if "\x00" in text:
            validator = ProhibitNullCharactersValidator()
            raise forms.ValidationError(validator.message, code=validator.code)
        return xml_safe(text)


def _text_overrides():
    from django.db import models

    return {
        models.CharField: {"form_class": TextField},
        models.TextField: {"form_class": TextField},
    }


# ModelAdmin.formfield_overrides for admin pages where staff edit text shown in feeds.
ADMIN_TEXT_OVERRIDES = _text_overrides()
