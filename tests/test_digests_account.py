"""A member's digest subscription in their account settings: shown with its choices,
changed, cancelled and resumed there; only for the member's own verified addresses."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from dailypapers.digests.models import Subscription
from tests.digests_helpers import active
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client():
    alice = make_user("alice")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.alice = alice
    return client


def csrf(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def weekly(email="alice@example.org", **fields):
    return active(
        email, frequency="weekly", categories=["cs.CL"], keywords=["retrieval"], authors=["Grace Hopper"],
        max_papers=15, confirmed_at=timezone.now(), **fields,
    )  # fmt: skip


def test_the_account_page_shows_the_members_subscription_with_its_choices(alice_client):
    weekly()
    page = alice_client.get("/account/").content.decode()
    section = page[page.index('id="digest-h"') :]
    assert "alice@example.org: subscribed to the weekly digest.</p>" in section
    assert re.search(r'value="weekly"[^>]*checked', section)
    assert (
        'value="cs.CL"' in section
        and 'value="retrieval"' in section
        and 'value="Grace Hopper"' in section
    )
    assert 'value="15"' in section


def test_a_member_changes_and_cancels_their_subscription_in_the_account(alice_client):
    subscription = weekly()
    token = csrf(alice_client.get("/account/").content.decode())
    url = f"/account/digest/{subscription.pk}"
    prefix = f"digest-{subscription.pk}-"
    fields = {
        prefix + "frequency": "daily",
        prefix + "categories": "cs.LG",
        prefix + "keywords": "",
        prefix + "authors": "",
        prefix + "max_papers": "5",
    }
    response = alice_client.post(
        url, {"csrfmiddlewaretoken": token, "action": "save", **fields}, follow=True
    )
    assert "Your digest choices are saved" in response.content.decode()
    subscription.refresh_from_db()
    assert (
        subscription.frequency,
        subscription.categories,
        subscription.keywords,
        subscription.max_papers,
    ) == ("daily", ["cs.LG"], [], 5)
    assert subscription.user == alice_client.alice

    bad = alice_client.post(
        url,
        {"csrfmiddlewaretoken": token, "action": "save", **fields, prefix + "max_papers": "500"},
    )
    assert (
        bad.status_code == 400
        and "Ensure this value is less than or equal to 30" in bad.content.decode()
    )

    response = alice_client.post(
        url, {"csrfmiddlewaretoken": token, "action": "unsubscribe"}, follow=True
    )
    assert "is unsubscribed" in response.content.decode()
    assert Subscription.objects.get().status == Subscription.UNSUBSCRIBED
    assert "unsubscribed; nothing is sent" in response.content.decode()

    # The member's verified address needs no email to subscribe again.
    response = alice_client.post(
        url, {"csrfmiddlewaretoken": token, "action": "resubscribe", **fields}, follow=True
    )
    assert "is subscribed again" in response.content.decode()
    assert Subscription.objects.get().receives_mail


def test_the_account_page_needs_csrf_for_digest_changes(alice_client):
    subscription = weekly()
    assert (
        alice_client.post(
            f"/account/digest/{subscription.pk}", {"action": "unsubscribe"}
        ).status_code
        == 403
    )
    assert Subscription.objects.get().receives_mail


def test_a_member_sees_nothing_of_other_addresses_subscriptions(alice_client):
    make_user("bob")
    bob = weekly("bob@example.org")
    typed = weekly("alice@elsewhere.example")  # an address alice never verified
    page = alice_client.get("/account/").content.decode()
    assert "bob@example.org" not in page and "alice@elsewhere.example" not in page
    assert "No digest goes to your verified addresses" in page
    token = csrf(page)
    for subscription in (bob, typed):
        response = alice_client.post(
            f"/account/digest/{subscription.pk}",
            {"csrfmiddlewaretoken": token, "action": "unsubscribe"},
        )
        assert response.status_code == 404
    assert Subscription.objects.filter(status=Subscription.ACTIVE).count() == 2


def test_an_unverified_address_is_not_shown():
    carol = make_user("carol", verified=False)
    weekly("carol@example.org")
    client = Client()
    client.force_login(carol)
    assert "carol@example.org: subscribed" not in client.get("/account/").content.decode()


def test_the_subscribe_page_points_a_subscribed_member_to_their_account(alice_client):
    weekly()
    page = alice_client.get("/subscribe").content.decode()
    assert "alice@example.org: subscribed to the weekly digest." in page
    assert 'href="/account/#digest-h"' in page


def test_the_footer_box_tells_a_subscribed_member_what_they_get_instead_of_offering_it_again(
    alice_client,
):
    page = alice_client.get("/").content.decode()
    assert "Email me the daily digest" in page  # not subscribed yet: the one-click offer
    subscription = weekly()
    page = alice_client.get("/papers/trending").content.decode()
    box = page[page.index('id="digest-box-h"') :]
    assert "Email me the daily digest" not in box
    assert (
        "You get the weekly digest at alice@example.org." in box
        and 'href="/account/#digest-h"' in box
    )
    subscription.status = Subscription.UNSUBSCRIBED
    subscription.save()
    assert "Email me the daily digest" in alice_client.get("/papers/trending").content.decode()
