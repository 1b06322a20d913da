"""How long the digest's links work, and who can revoke them: manage links for a week
(then a fresh one by email), unsubscribe links for ever (RFC 8058 one-click included),
confirm and manage links revoked when the address asks, unsubscribes or changes hands.
Emails are read from a real SMTP server on loopback; time moves with time_machine."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import signing
from django.test import Client
from django.utils import timezone

from dailypapers.digests import outbox, sending, subscriptions, tokens
from dailypapers.digests.models import Subscription
from tests.digests_helpers import PERIOD, active, digests_to, link
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def one_digest(smtp, email="ada@example.org"):
    """Send the period's digest to `email` and return its manage and unsubscribe paths."""
    outbox.build_outbox(PERIOD)
    sending.send_due()
    [digest] = digests_to(smtp, email)
    header = re.search(
        r"<https://papers\.example\.org(/unsubscribe/[^>]+)>", digest["List-Unsubscribe"]
    ).group(1)
    assert header == link(digest, "/unsubscribe/")
    return link(digest, "/subscribe/manage/"), header


def one_click(path):
    """What a mail client sends for RFC 8058: a POST, no cookie, no CSRF token."""
    return Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def test_a_digests_manage_link_works_for_a_week_then_offers_a_fresh_one_by_email(
    client, smtp, feed_day
):
    ada = active("ada@example.org", categories=["cs.IR"])
    manage, _ = one_digest(smtp)
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(days=6, hours=23)):
        assert client.get(manage).status_code == 200
    with time_machine.travel(start + dt.timedelta(days=7, minutes=1)):
        expired = client.get(manage)
        assert expired.status_code == 400
        page = expired.content.decode()
        assert (
            "This link has expired" in page
            and "work for 7 days" in page
            and "Email me a new link" in page
        )
        assert (
            client.post(
                manage, {"action": "save", "frequency": "weekly", "max_papers": "3"}
            ).status_code
            == 400
        )
        assert client.post(manage, {"action": "unsubscribe"}).status_code == 400
        # Unsubscribing needs no fresh link (the email has a permanent one anyway).
        assert re.search(r'href="/unsubscribe/[^"]+">Unsubscribe without a new link', page)
        ada.refresh_from_db()
        assert (ada.frequency, ada.status) == ("daily", "active")

        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        answer = client.post("/subscribe/new-link", {"token": token})
        assert answer.status_code == 200 and "Check your inbox" in answer.content.decode()
        [sent] = [
            m
            for m in smtp.messages
            if m.message["Subject"] == "Your dailypapers digest subscription"
        ]
        assert sent.rcpt_tos == ["ada@example.org"]  # the address's owner, not the link's holder
        assert "asked for a new link" in sent.message.get_body(("plain",)).get_content()
        fresh = link(sent.message, "/subscribe/manage/")
        assert client.get(fresh).status_code == 200
        # Asking again at once sends nothing more (the resend delay), with the same answer.
        assert client.post("/subscribe/new-link", {"token": token}).content == answer.content
        assert len(smtp.messages) == 2


def test_a_forged_token_gets_no_fresh_link(client, smtp):
    assert (
        client.post("/subscribe/new-link", {"token": "WzEsImFiYyJd:1vPxyz:forged"}).status_code
        == 400
    )
    assert client.post("/subscribe/new-link", {}).status_code == 400
    assert smtp.messages == []


def test_unsubscribe_links_from_old_emails_keep_working_after_a_year_and_a_sign_out(
    client, smtp, feed_day
):
    active("ada@example.org")
    manage, unsubscribe = one_digest(smtp)
    signed_out = client.post(manage, {"action": "revoke"})
    assert "All links are signed out" in signed_out.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=400)):
        assert (
            "Stop sending the digest to ada@example.org?"
            in client.get(unsubscribe).content.decode()
        )
        response = one_click(unsubscribe)
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert Subscription.objects.get().status == Subscription.UNSUBSCRIBED


def test_unsubscribe_links_sent_before_links_expired_keep_working(client):
    # Emails sent by earlier versions carry [id, nonce] in their unsubscribe token.
    ada = active("ada@example.org")
    legacy = signing.TimestampSigner(salt=tokens.SALTS["unsubscribe"]).sign_object(
        [ada.pk, ada.nonce], compress=False
    )
    subscriptions.revoke_links(ada)
    assert one_click(f"/unsubscribe/{legacy}").status_code == 200
    assert Subscription.objects.get().status == Subscription.UNSUBSCRIBED


def test_signing_out_all_links_stops_the_manage_and_confirm_links(client, smtp):
    client.post("/subscribe", {"email": "ada@example.org"})
    confirm = link(smtp.messages[0].message, "/subscribe/confirm/")
    ada = Subscription.objects.get()
    manage = f"/subscribe/manage/{tokens.make('manage', ada)}"
    assert client.post(manage, {"action": "revoke"}).status_code == 200
    for path in (manage, confirm):
        response = client.post(path, {"action": "save", "frequency": "weekly", "max_papers": "3"})
        assert response.status_code == 400 and "no longer works" in response.content.decode()
    assert "Email me a new link" in client.get(manage).content.decode()
    ada.refresh_from_db()
    assert (ada.status, ada.frequency) == (Subscription.PENDING, "daily")


def test_subscribing_again_after_unsubscribing_takes_a_new_email(client, smtp):
    client.post("/subscribe", {"email": "ada@example.org"})
    confirm = link(smtp.messages[0].message, "/subscribe/confirm/")
    client.post(confirm)
    ada = Subscription.objects.get()
    assert ada.receives_mail
    manage = f"/subscribe/manage/{tokens.make('manage', ada)}"
    one_click(f"/unsubscribe/{tokens.make('unsubscribe', ada)}")
    # Neither the old confirmation link nor a recent manage link (a forwarded digest's)
    # brings the address back.
    assert client.post(confirm).status_code == 400
    assert (
        client.post(
            manage, {"action": "resubscribe", "frequency": "daily", "max_papers": "10"}
        ).status_code
        == 400
    )
    assert Subscription.objects.get().status == Subscription.UNSUBSCRIBED
    # The address asks again and follows the emailed link: subscribed again.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        client.post("/subscribe", {"email": "ada@example.org"})
    fresh = link(smtp.messages[-1].message, "/subscribe/manage/")
    client.post(fresh, {"action": "resubscribe", "frequency": "daily", "max_papers": "10"})
    assert Subscription.objects.get().receives_mail


def test_a_subscription_that_changes_hands_revokes_its_links(smtp):
    bob = make_user("bob")
    subscription = active("bob@example.org", user=bob, confirmed_at=timezone.now())
    manage = f"/subscribe/manage/{tokens.make('manage', subscription)}"
    # The address leaves bob's account and is verified by alice's.
    EmailAddress.objects.filter(user=bob).delete()
    alice = make_user("alice")
    EmailAddress.objects.create(user=alice, email="bob@example.org", verified=True)
    client = Client()
    client.force_login(alice)
    prefix = f"digest-{subscription.pk}-"
    response = client.post(
        f"/account/digest/{subscription.pk}",
        {"action": "save", prefix + "frequency": "weekly", prefix + "max_papers": "5"},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.user, subscription.frequency) == (alice, "weekly")
    assert Client().get(manage).status_code == 400
