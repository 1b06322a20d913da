"""Response headers that Django's SecurityMiddleware does not set."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` (settings.PERMISSIONS_POLICY): the site uses no camera,
    microphone, location, payment or similar browser features, so it turns them off for
    itself and for anything that might get embedded in a page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = ", ".join(
            f"{feature}=()" for feature in getattr(settings, "PERMISSIONS_POLICY", [])
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response


class RefuseNulMiddleware:
    """A NUL in the address or the query string is never a real request (PostgreSQL
    cannot even compare text holding one: a lookup by a username, slug or id would end
    in a database error). Before any view or lookup runs: an address holding one
    answers 404 (JSON under /api/); a parameter
    holding one answers 400, except the search query `q`, where, as for any other
    character search cannot use, the NUL is dropped. A cookie holding one is dropped
    (the session cookie is looked up in the database). Bodies are checked where they are
    read: forms (dailypapers/core/forms.py TextField) and the API's schemas."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            return _refusal(request, 404, "Not found: the address holds a NUL character.")
        for key, values in request.GET.lists():
            if not any("\x00" in v for v in [key, *values]):
                continue
            if key != "q":
                name = key.replace("\x00", "") or "?"
                return _refusal(request, 400, f"The parameter {name!r} holds a NUL character.")
            request.GET = request.GET.copy()
            request.GET.setlist("q", [v.replace("\x00", "") for v in values])
        if any("\x00" in key + value for key, value in request.COOKIES.items()):
            request.COOKIES = {k: v for k, v in request.COOKIES.items() if "\x00" not in k + v}
        return self.get_response(request)


class RefuseLargeBodyMiddleware:
    """A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 before anything reads
    it: JSON `{"error": …}` under /api/, the site's page elsewhere. (Django itself
    refuses such a body only when a view first reads it, with its generic 400.) The
    length is the declared Content-Length: gunicorn and Django read no more than it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return _refusal(request, 400, "The Content-Length header is not a number.")
        if limit is not None and length > limit:
            return _refusal(
                request,
                413,
                f"The request body is too large ({length:,} bytes; at most {limit:,}).",
            )
        return self.get_response(request)


def _refusal(request, status, message):
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path_info.startswith("/api/"):
        response = JsonResponse({"error": message}, status=status)
    else:
        template = {404: "404.html", 413: "413.html"}.get(status, "400.html")
        response = render(request, template, {"message": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response
