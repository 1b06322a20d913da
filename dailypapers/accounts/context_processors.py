from django.conf import settings

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def accounts(request):
    """For templates:
    - `staff_powers`: whether the viewer holds staff powers now (rules.has_staff_powers),
      asked only by the pages that use it, once per request;
    - `mail_on_console`: emails are printed on the server's console, not sent (development
      without EMAIL_HOST): the pages that say "we sent you an email" say where it is."""
    from dailypapers.accounts.rules import has_staff_powers

    def staff_powers():
        if not hasattr(request, "_staff_powers"):
            request._staff_powers = has_staff_powers(getattr(request, "user", None))
        return request._staff_powers

    return {
        "staff_powers": staff_powers,
        "mail_on_console": settings.EMAIL_BACKEND == CONSOLE_BACKEND,
    }
