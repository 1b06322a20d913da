from django import forms

from dailypapers.core.forms import TextField


class TokenForm(forms.Form):
    name = TextField(
        max_length=100,
        required=False,
        help_text="What the token is for, e.g. “my script”. Optional.",
    )


class SuspendForm(forms.Form):
    reason = TextField(max_length=500, required=False)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Your password, to confirm.",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
