"""Subscribing, confirming, managing and unsubscribing through the pages, with the
confirmation emails read from a real SMTP server."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from dailypapers.digests import outbox, subscriptions, tokens
from dailypapers.digests.models import OutboxMessage, Subscription
from tests.digests_helpers import PERIOD, active, link
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_every_page_has_the_subscribe_box_without_a_csrf_token_for_anonymous_readers(
    client, feed_day
):
    response = client.get("/")
    page = response.content.decode()
    assert 'action="/subscribe"' in page and 'name="email"' in page
    # The page stays shareable in the anonymous page cache: no token, no CSRF cookie.
    assert "csrfmiddlewaretoken" not in page and "csrftoken" not in response.cookies


def test_the_box_is_the_first_thing_on_the_home_page_and_in_the_footer_elsewhere(client, feed_day):
    home = client.get("/").content.decode()
    # Once on the page, in the hero above the papers (not in the footer).
    assert home.count('id="digest-box-h"') == 1
    assert home.index('id="digest-box-h"') < home.index('class="card"') < home.index("<footer")
    trending = client.get("/papers/trending").content.decode()
    assert trending.count('id="digest-box-h"') == 1
    assert trending.index('id="digest-box-h"') > trending.index("<footer")
    # The subscribe page itself has its full form and no second box.
    assert 'id="digest-box-h"' not in client.get("/subscribe").content.decode()


def test_subscribing_by_email_sends_a_confirmation_and_nothing_else(client, smtp):
    response = client.post(
        "/subscribe",
        {
            "email": "  Ada@Example.ORG ",
            "frequency": "weekly",
            "categories": "cs.CL, cs.LG",
            "keywords": "retrieval",
            "max_papers": "5",
        },
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    ada = Subscription.objects.get()
    assert (ada.email, ada.status, ada.frequency) == (
        "ada@example.org",
        Subscription.PENDING,
        "weekly",
    )
    assert (ada.categories, ada.keywords, ada.max_papers) == (["cs.CL", "cs.LG"], ["retrieval"], 5)
    [received] = smtp.messages
    assert received.rcpt_tos == ["ada@example.org"]
    message = received.message
    assert message["Subject"] == "Confirm your dailypapers digest subscription"
    assert "/subscribe/confirm/" in message.get_body(("html",)).get_content()
    assert link(message, "/subscribe/confirm/")


def test_with_the_console_email_backend_the_page_says_where_the_email_is(client, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.RATELIMIT_ENABLE = False
    page = client.post(
        "/subscribe", {"email": "ada@example.org", "frequency": "daily", "max_papers": "10"}
    )
    assert "printed on the server’s console" in page.content.decode()
    assert "/subscribe/confirm/" in capsys.readouterr().out


def test_the_footer_box_needs_only_an_email(client, smtp):
    assert client.post("/subscribe", {"email": "bob@example.org"}).status_code == 200
    bob = Subscription.objects.get()
    assert (bob.frequency, bob.max_papers, bob.categories) == ("daily", 10, [])


def test_confirming_takes_a_button_press_not_just_a_visit(client, smtp):
    client.post("/subscribe", {"email": "ada@example.org"})
    url = link(smtp.messages[0].message, "/subscribe/confirm/")
    page = client.get(url)
    assert page.status_code == 200 and "Yes, subscribe" in page.content.decode()
    assert (
        Subscription.objects.get().status == Subscription.PENDING
    )  # link scanners confirm nothing
    done = client.post(url)
    assert "You are subscribed" in done.content.decode()
    ada = Subscription.objects.get()
    assert ada.status == Subscription.ACTIVE and ada.confirmed_at is not None


@pytest.mark.parametrize(
    "token, message",
    [
        ("garbage", "This link is not valid"),
        ("WzEsImFiYyJd:1vPxyz:forgedsignature", "This link is not valid"),
    ],
)
def test_a_bad_token_gives_a_clear_page(client, token, message):
    for url in (
        f"/subscribe/confirm/{token}",
        f"/subscribe/manage/{token}",
        f"/unsubscribe/{token}",
    ):
        response = client.get(url)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert client.post(url).status_code == 400


def test_an_expired_confirmation_link_says_so(client, smtp):
    client.post("/subscribe", {"email": "ada@example.org"})
    url = link(smtp.messages[0].message, "/subscribe/confirm/")
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        response = client.post(url)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert Subscription.objects.get().status == Subscription.PENDING


def test_a_token_for_one_purpose_is_refused_for_another(client):
    ada = active("ada@example.org")
    manage = tokens.make("manage", ada)
    assert client.post(f"/unsubscribe/{manage}").status_code == 400
    assert Subscription.objects.get().status == Subscription.ACTIVE


def test_revoked_manage_links_stop_working(client):
    ada = active("ada@example.org")
    url = f"/subscribe/manage/{tokens.make('manage', ada)}"
    subscriptions.revoke_links(ada)
    response = client.post(url, {"action": "save", "frequency": "weekly", "max_papers": "3"})
    assert response.status_code == 400 and "no longer works" in response.content.decode()
    assert Subscription.objects.get().frequency == "daily"


def test_confirmation_emails_are_throttled_per_address(client, smtp):
    client.post("/subscribe", {"email": "ada@example.org"})
    client.post("/subscribe", {"email": "ada@example.org"})
    assert len(smtp.messages) == 1
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        client.post("/subscribe", {"email": "ada@example.org"})
    assert len(smtp.messages) == 2


def test_an_active_address_is_sent_its_manage_link_and_keeps_its_choices(client, smtp):
    active("ada@example.org", categories=["cs.IR"])
    response = client.post("/subscribe", {"email": "ada@example.org", "categories": "math"})
    assert "Check your inbox" in response.content.decode()
    assert Subscription.objects.get().categories == ["cs.IR"]
    [received] = smtp.messages
    assert link(received.message, "/subscribe/manage/")


def test_a_logged_in_member_subscribes_in_one_click(smtp):
    alice = make_user("alice")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get("/subscribe").content.decode()
    # Refused without the CSRF token…
    assert client.post("/subscribe", {}).status_code == 403
    assert not Subscription.objects.exists()
    # …and done at once with it, from the footer's button (no address sent).
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post("/subscribe", {"csrfmiddlewaretoken": token})
    assert "You are subscribed" in response.content.decode()
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.user, subscription.status) == (
        "alice@example.org",
        alice,
        "active",
    )
    assert smtp.messages == []


def test_a_member_with_an_unverified_address_confirms_by_email(client, smtp):
    client.force_login(make_user("carol", verified=False))
    client.post("/subscribe", {})
    assert Subscription.objects.get().status == Subscription.PENDING
    assert len(smtp.messages) == 1


def test_a_bad_form_shows_its_errors(client, smtp):
    response = client.post("/subscribe", {"email": "not an address", "categories": "Robots!"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page and "is not an arXiv category" in page
    assert not Subscription.objects.exists() and smtp.messages == []


def test_when_the_mail_server_is_down_the_page_says_so_and_a_retry_works(client, settings, smtp):
    port, settings.EMAIL_PORT = settings.EMAIL_PORT, smtp.down_port()
    response = client.post("/subscribe", {"email": "ada@example.org"})
    assert response.status_code == 503
    assert "could not send the confirmation email" in response.content.decode()
    settings.EMAIL_PORT = port
    assert client.post("/subscribe", {"email": "ada@example.org"}).status_code == 200
    assert len(smtp.messages) == 1


def test_the_manage_link_changes_choices_without_logging_in(client):
    ada = active("ada@example.org")
    url = f"/subscribe/manage/{tokens.make('manage', ada)}"
    assert "ada@example.org" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "action": "save",
            "frequency": "weekly",
            "authors": "Grace Hopper, Ada",
            "max_papers": "3",
        },
    )
    assert "Your choices are saved" in response.content.decode()
    ada.refresh_from_db()
    assert (ada.frequency, ada.authors, ada.max_papers) == ("weekly", ["Grace Hopper", "Ada"], 3)
    bad = client.post(url, {"action": "save", "frequency": "hourly", "max_papers": "500"})
    assert bad.status_code == 400
    client.post(url, {"action": "unsubscribe"})
    assert Subscription.objects.get().status == Subscription.UNSUBSCRIBED
    # The link that unsubscribed cannot subscribe again: that takes a new email.
    assert (
        client.post(
            url, {"action": "resubscribe", "frequency": "weekly", "max_papers": "3"}
        ).status_code
        == 400
    )
    assert Subscription.objects.get().status == Subscription.UNSUBSCRIBED


def test_unsubscribing_asks_first_on_a_visit_and_takes_effect_at_once_on_post(client, feed_day):
    ada = active("ada@example.org")
    outbox.build_outbox(PERIOD)
    url = f"/unsubscribe/{tokens.make('unsubscribe', ada)}"
    page = client.get(url)
    assert page.status_code == 200 and Subscription.objects.get().status == Subscription.ACTIVE
    # RFC 8058 one-click: a POST from the mail client, no cookie, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert Subscription.objects.get().status == Subscription.UNSUBSCRIBED
    assert OutboxMessage.objects.get().status == OutboxMessage.SKIPPED
    assert "already unsubscribed" in client.get(url).content.decode()


def test_operators_import_addresses_confirmed_or_not(smtp, capsys, tmp_path):
    call_command(
        "subscribers", "add", "Ada@example.org", "bob@example.org", "--confirmed", "--weekly"
    )
    assert "2 added (active)" in capsys.readouterr().out
    assert set(Subscription.objects.values_list("email", "status", "frequency")) == {
        ("ada@example.org", "active", "weekly"), ("bob@example.org", "active", "weekly"),
    }  # fmt: skip
    assert smtp.messages == []
    listing = tmp_path / "list.txt"
    listing.write_text("# exported\ncarol@example.org\nada@example.org\n")
    call_command("subscribers", "add", "--file", str(listing))
    assert "1 added (waiting for confirmation), 1 already known" in capsys.readouterr().out
    assert smtp.recipients() == ["carol@example.org"]
    call_command("subscribers", "remove", "ada@example.org")
    assert Subscription.objects.get(email="ada@example.org").status == "unsubscribed"


def test_the_import_command_refuses_bad_addresses():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not email addresses: nope"):
        call_command("subscribers", "add", "nope", "--confirmed")


def test_subscription_requests_are_rate_limited(client, settings, smtp):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMIT_SUBSCRIBE = "2/h"
    for n in range(2):
        assert client.post("/subscribe", {"email": f"r{n}@example.org"}).status_code == 200
    response = client.post("/subscribe", {"email": "r9@example.org"})
    assert response.status_code == 429
    assert "Too many subscription requests" in response.content.decode()
    assert len(smtp.messages) == 2


def test_staff_see_subscriptions_and_the_outbox_in_the_admin(client, feed_day):
    active("ada@example.org")
    outbox.build_outbox(PERIOD)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    for url in ("/admin/digests/subscription/", "/admin/digests/outboxmessage/"):
        response = client.get(url)
        assert response.status_code == 200 and "ada@example.org" in response.content.decode()


# --- Subscribing again never changes an existing subscription --------------------------------

WEEKLY_WITH_FILTERS = {
    "frequency": "weekly", "categories": ["cs.CL", "cs.IR"], "keywords": ["retrieval"],
    "authors": ["Grace Hopper"], "max_papers": 15,
}  # fmt: skip


def state(subscription, *ignore):
    subscription.refresh_from_db()
    return {
        f.attname: getattr(subscription, f.attname)
        for f in Subscription._meta.fields
        if f.name not in ignore
    }


def test_the_footer_button_leaves_a_members_subscription_exactly_as_it_is(smtp):
    alice = make_user("alice")
    subscription = active(
        "alice@example.org", user=alice, confirmed_at=timezone.now(), **WEEKLY_WITH_FILTERS
    )
    before = state(subscription)
    client = Client()
    client.force_login(alice)
    # The footer's "Email me the daily digest" button: a POST with no fields at all.
    response = client.post("/subscribe", {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "You are already subscribed" in page and "Nothing was changed" in page
    assert "cs.CL, cs.IR" in page and "Grace Hopper" in page and 'href="/account/#digest-h"' in page
    assert state(subscription) == before
    assert smtp.messages == []


def test_the_footer_box_leaves_an_anonymous_subscription_as_it_is_and_mails_its_manage_link(
    client, smtp
):
    subscription = active("ada@example.org", confirmed_at=timezone.now(), **WEEKLY_WITH_FILTERS)
    before = state(subscription, "confirmation_sent_at")
    assert client.post("/subscribe", {"email": "ada@example.org"}).status_code == 200
    assert (
        client.post(
            "/subscribe", {"email": "ADA@example.org", "frequency": "daily", "max_papers": "2"}
        ).status_code
        == 200
    )
    assert state(subscription, "confirmation_sent_at") == before
    [received] = smtp.messages  # the second request came within the resend delay
    assert received.message["Subject"] == "Your dailypapers digest subscription"
    assert "already subscribed (weekly)" in received.message.get_body(("plain",)).get_content()
    assert link(received.message, "/subscribe/manage/")


def test_an_unsubscribed_address_keeps_its_choices_and_subscribes_again_from_the_emailed_link(
    client, smtp
):
    subscription = active("ada@example.org", confirmed_at=timezone.now(), **WEEKLY_WITH_FILTERS)
    subscriptions.unsubscribe(subscription)
    before = state(subscription, "confirmation_sent_at")
    client.post("/subscribe", {"email": "ada@example.org"})
    assert state(subscription, "confirmation_sent_at") == before  # still unsubscribed, same choices
    [received] = smtp.messages
    assert (
        "not receiving the digest at the moment (it was unsubscribed)"
        in received.message.get_body(("plain",)).get_content()
    )
    url = link(received.message, "/subscribe/manage/")
    page = client.get(url).content.decode()
    assert (
        "unsubscribed; nothing is sent" in page
        and 'value="cs.CL, cs.IR"' in page
        and "Subscribe again" in page
    )
    response = client.post(
        url,
        {
            "action": "resubscribe",
            "frequency": "weekly",
            "categories": "cs.CL, cs.IR",
            "keywords": "retrieval",
            "authors": "Grace Hopper",
            "max_papers": "15",
        },
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert (
        subscription.receives_mail
        and subscription.frequency == "weekly"
        and subscription.max_papers == 15
    )


def test_the_footer_button_resumes_a_members_unsubscribed_subscription_with_its_own_choices(smtp):
    alice = make_user("alice")
    subscription = active("alice@example.org", user=alice, **WEEKLY_WITH_FILTERS)
    subscriptions.unsubscribe(subscription)
    client = Client()
    client.force_login(alice)
    page = client.post("/subscribe", {}).content.decode()
    assert "You are subscribed again" in page and "with the choices it had before" in page
    subscription.refresh_from_db()
    assert subscription.receives_mail
    assert {k: getattr(subscription, k) for k in WEEKLY_WITH_FILTERS} == WEEKLY_WITH_FILTERS


def test_operators_adding_a_known_address_leave_its_choices(smtp, capsys):
    subscription = active("ada@example.org", **WEEKLY_WITH_FILTERS)
    subscriptions.unsubscribe(subscription)
    call_command("subscribers", "add", "ada@example.org")
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed"
    assert {k: getattr(subscription, k) for k in WEEKLY_WITH_FILTERS} == WEEKLY_WITH_FILTERS


# --- The answer never tells whether an address is subscribed -----------------------------------


def test_the_answer_is_the_same_for_a_new_a_pending_and_an_active_address(client, smtp):
    request = {"email": "ada@example.org", "frequency": "weekly", "categories": "cs.CL"}
    answers, subjects = [], []
    for setup in (
        lambda: None,
        lambda: Subscription.objects.create(email="ada@example.org", status=Subscription.PENDING),
        lambda: active("ada@example.org", confirmed_at=timezone.now(), **WEEKLY_WITH_FILTERS),
    ):
        Subscription.objects.all().delete()
        setup()
        response = client.post("/subscribe", request)
        assert response.status_code == 200
        answers.append(response.content)
        subjects.append(smtp.messages[-1].message["Subject"])
    assert answers[0] == answers[1] == answers[2]
    assert b"Check your inbox" in answers[0]
    # What differs goes to the address.
    assert subjects == ["Confirm your dailypapers digest subscription"] * 2 + [
        "Your dailypapers digest subscription"
    ]
