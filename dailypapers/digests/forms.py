import re

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator

from dailypapers.core.forms import TextField
from dailypapers.digests.models import Subscription
from dailypapers.digests.subscriptions import Preferences

_CATEGORY = re.compile(r"[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?", re.ASCII)
MAX_ITEMS = 20
MAX_ITEM_CHARS = 100


class ListField(TextField):
    """Comma-separated text → a list of distinct, trimmed items."""

    def to_python(self, value):
        text = super().to_python(value)
        items, seen = [], set()
        for item in (" ".join(part.split()) for part in text.split(",")):
            if item and item.lower() not in seen:
                seen.add(item.lower())
                items.append(item)
        return items

    def validate(self, value):
        if len(value) > MAX_ITEMS:
            raise forms.ValidationError(f"At most {MAX_ITEMS} items.")
        for item in value:
            if len(item) > MAX_ITEM_CHARS:
                raise forms.ValidationError(
                    f"“{item[:30]}…” is longer than {MAX_ITEM_CHARS} characters."
                )

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


class PreferencesForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=Subscription.FREQUENCIES, initial=Subscription.DAILY, widget=forms.RadioSelect
    )
    categories = ListField(
        required=False, help_text="arXiv categories, e.g. cs.CL, cs.LG (or cs for all of cs)"
    )
    keywords = ListField(
        required=False, help_text="Words or phrases in the title or abstract, comma-separated"
    )
    authors = ListField(required=False, help_text="Author names, comma-separated")
    max_papers = forms.IntegerField(min_value=1, initial=10, label="Papers per email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.DIGEST_MAX_PAPERS_LIMIT
        self.fields["max_papers"].validators.append(MaxValueValidator(limit))
        self.fields["max_papers"].widget.attrs["max"] = limit

    def clean_categories(self):
        categories = self.cleaned_data["categories"]
        for category in categories:
            if not _CATEGORY.fullmatch(category):
                raise forms.ValidationError(
                    f"“{category}” is not an arXiv category (like cs.CL or math)."
                )
        return categories

    def preferences(self):
        data = self.cleaned_data
        return Preferences(
            data["frequency"],
            data["categories"],
            data["keywords"],
            data["authors"],
            data["max_papers"],
        )

    @classmethod
    def for_subscription(cls, subscription, data=None, **kwargs):
        initial = {
            "frequency": subscription.frequency, "categories": subscription.categories,
            "keywords": subscription.keywords, "authors": subscription.authors,
            "max_papers": subscription.max_papers,
        }  # fmt: skip
        return cls(data, initial=initial, **kwargs)


class SubscribeForm(PreferencesForm):
    email = forms.EmailField(max_length=254)
    field_order = ["email", "frequency", "categories", "keywords", "authors", "max_papers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The footer's box sends the email alone: the rest take their defaults.
        for name in ("frequency", "max_papers"):
            self.fields[name].required = False

    def clean_frequency(self):
        return self.cleaned_data.get("frequency") or Subscription.DAILY

    def clean_max_papers(self):
        return self.cleaned_data.get("max_papers") or settings.DIGEST_MAX_PAPERS_DEFAULT
