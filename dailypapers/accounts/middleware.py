"""Refusals on the pages: a service's Refused (accounts/rules.py) that a view lets through
answers its message with its status, on the site's page (refused.html), or as JSON to a
script that asked for it. Views that keep what was typed (a comment's form) catch it
themselves; the API has its own handler (api/main.py)."""

from django.http import JsonResponse
from django.shortcuts import render

from dailypapers.accounts.rules import Refused
from dailypapers.core.ratelimits import wants_json


class RefusedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refused):
            return None
        if wants_json(request):
            return JsonResponse({"error": exception.message}, status=exception.status)
        return render(
            request, "refused.html", {"message": exception.message}, status=exception.status
        )
