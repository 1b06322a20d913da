"""Forms of the collection pages. Limits come from the models; services check them again
for callers that are not forms."""

from django import forms

from dailypapers.collections.models import DESCRIPTION_MAX, NAME_MAX, NOTE_MAX
from dailypapers.core.forms import TextField


class CollectionForm(forms.Form):
    name = TextField(max_length=NAME_MAX)
    description = TextField(
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text; line breaks are kept.",
    )
    public = forms.BooleanField(
        required=False, help_text="Anyone can see a public collection and follow its RSS feed."
    )


class AddPaperForm(forms.Form):
    """The paper page's "Add to collection": an existing collection or a new name."""

    arxiv_id = TextField(max_length=32)
    collection = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    new_name = TextField(max_length=NAME_MAX, required=False)
    note = TextField(max_length=NOTE_MAX, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("collection") and not (data.get("new_name") or "").strip():
            raise forms.ValidationError("Choose a collection or type the name of a new one.")
        return data
