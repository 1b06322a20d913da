"""Where a form goes back to after a POST."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback, *, referer=True):
    """The form's `next` (and, with `referer`, else the referring page) when it is an
    address of this site; else `fallback`. Never another site: no open redirect."""
    candidates = [request.POST.get("next")]
    if referer:
        candidates.append(request.headers.get("Referer"))
    for candidate in candidates:
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return fallback
