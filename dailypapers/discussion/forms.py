from django import forms

from dailypapers.core.forms import TextField
from dailypapers.discussion.models import MAX_BODY_LENGTH, Report


class CommentForm(forms.Form):
    # Length and emptiness are checked by services._clean_body, whose messages the page
    # shows; the form only carries the text (and the browser's own maxlength hint).
    body = TextField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_BODY_LENGTH}),
        label="Comment",
        help_text="Markdown: *emphasis*, **strong**, `code`, [links](https://…), lists and quotes.",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices)
    details = TextField(max_length=1000, required=False, label="Details (optional)")
