from dailypapers.accounts.rules import has_staff_powers


def powers(request):
    """`staff_powers` for templates: whether the viewer holds staff powers now
    (rules.has_staff_powers), asked only by the pages that use it, once per request."""

    def staff_powers():
        if not hasattr(request, "_staff_powers"):
            request._staff_powers = has_staff_powers(getattr(request, "user", None))
        return request._staff_powers

    return {"staff_powers": staff_powers}
