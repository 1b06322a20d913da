from django.contrib.auth.decorators import user_passes_test

from dailypapers.accounts.rules import has_staff_powers

# Staff pages and actions outside the admin: like Django's staff_member_required (which
# sends others to the admin's log-in page), but through rules.has_staff_powers, so a
# suspended member of staff is refused too.
staff_powers_required = user_passes_test(
    has_staff_powers, login_url="admin:login", redirect_field_name="next"
)
