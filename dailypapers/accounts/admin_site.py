"""The admin site, through the same check as every other staff power.

Django's admin lets in any active user with is_staff. Here a suspended member of staff
can neither log in to the admin nor use a page or an action of it while logged in
(AdminSite.has_permission guards every admin view, actions included)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from dailypapers.accounts import rules


class AuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if rules.is_suspended(user):
            raise forms.ValidationError(
                "This account is suspended: it cannot use the admin.", code="suspended"
            )


class AdminSite(admin.AdminSite):
    login_form = AuthenticationForm

    def has_permission(self, request):
        return rules.has_staff_powers(request.user)
