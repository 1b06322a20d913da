import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from dailypapers.core.pagecache import anonymous_page

# The cache key says whether the site shows demo data (a row in the database).
pytestmark = pytest.mark.django_db


def request(user=None, method="get"):
    req = getattr(RequestFactory(), method)("/x")
    req.user = user or AnonymousUser()
    return req


def counting_render(body="page", csrf=False, status=200):
    calls = []

    def render(req=None):
        calls.append(1)
        if csrf:
            get_token(req)
        return HttpResponse(f"{body} {len(calls)}", status=status)

    return render, calls


def test_anonymous_readers_share_one_rendering_per_key():
    render, calls = counting_render()
    first = anonymous_page(request(), "k", render)
    second = anonymous_page(request(), "k", render)
    assert first.content == second.content == b"page 1"
    assert len(calls) == 1
    assert anonymous_page(request(), "other-key", render).content == b"page 2"


@pytest.mark.django_db
def test_logged_in_users_always_get_a_fresh_page(django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    render, calls = counting_render()
    anonymous_page(request(user), "k", render)
    anonymous_page(request(user), "k", render)
    assert len(calls) == 2


def test_a_page_with_a_csrf_token_is_never_stored():
    req = request()
    render, calls = counting_render(csrf=True)
    anonymous_page(req, "k", lambda: render(req))
    req2 = request()
    anonymous_page(req2, "k", lambda: render(req2))
    assert len(calls) == 2


def test_errors_and_posts_are_not_stored():
    render, calls = counting_render(status=404)
    anonymous_page(request(), "k", render)
    anonymous_page(request(), "k", render)
    ok, ok_calls = counting_render()
    anonymous_page(request(method="post"), "p", ok)
    anonymous_page(request(method="post"), "p", ok)
    assert len(calls) == 2 and len(ok_calls) == 2
