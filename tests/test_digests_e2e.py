"""The whole journey over real HTTP (Django's live server) and a real SMTP server:
subscribe → confirmation email → confirm → the digest arrives with its content and
headers → one-click unsubscribe (POST) → no further email."""

import datetime as dt
import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

from dailypapers.digests import outbox, sending
from dailypapers.digests.schedule import daily_period
from tests.digests_helpers import PERIOD
from tests.factories import make_entry


class Browser:
    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url):
        with self.opener.open(url, timeout=10) as response:
            return response.status, response.read().decode()

    def post(self, url, fields=None, body=None):
        data = body if body is not None else urllib.parse.urlencode(fields or {}).encode()
        request = urllib.request.Request(url, data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        with self.opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()


def text_of(message):
    return message.get_body(("plain",)).get_content()


@pytest.mark.django_db(transaction=True)
def test_subscribe_confirm_receive_unsubscribe_then_nothing_more(
    live_server, settings, smtp, feed_day
):
    settings.SITE_URL = live_server.url
    browser = Browser()

    # 1. Subscribe from the footer box of the home page.
    status, home = browser.get(live_server.url + "/")
    assert status == 200 and 'action="/subscribe"' in home
    status, page = browser.post(
        live_server.url + "/subscribe",
        {"email": "ada@example.org", "categories": "cs.IR", "max_papers": "3"},
    )
    assert status == 200 and "Check your inbox" in page

    # 2. The confirmation email; its link, then the button.
    [confirmation] = smtp.messages
    confirm_url = re.search(
        r"http://\S+/subscribe/confirm/\S+", text_of(confirmation.message)
    ).group(0)
    status, page = browser.get(confirm_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, page = browser.post(confirm_url, {"csrfmiddlewaretoken": token})
    assert status == 200 and "You are subscribed" in page

    # 3. The digest: built and sent as cron would.
    outbox.build_outbox(PERIOD)
    assert sending.send_due().sent == 1
    digest = smtp.messages[1]
    assert digest.rcpt_tos == ["ada@example.org"]
    message = digest.message
    text = text_of(message)
    titles = [e.paper.title for e in (feed_day[4], feed_day[0], feed_day[1])]
    assert [
        line.split(". ", 1)[1] for line in text.splitlines() if re.match(r"\d+\. ", line)
    ] == titles
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = re.match(r"<([^>]+)>", message["List-Unsubscribe"].strip()).group(1)
    assert unsubscribe_url.startswith(live_server.url + "/unsubscribe/")
    # Every paper link in the email leads to its page.
    paper_url = re.search(rf"{re.escape(live_server.url)}/papers/\S+", text).group(0)
    assert browser.get(paper_url)[0] == 200

    # 4. One-click unsubscribe as a mail client does it: a bare POST, no cookies.
    status, page = Browser().post(unsubscribe_url, body=b"List-Unsubscribe=One-Click")
    assert status == 200 and "You are unsubscribed" in page

    # 5. The next digest is not sent.
    make_entry(dt.date(2026, 11, 27), upvotes=7)
    assert outbox.build_outbox(daily_period(dt.date(2026, 11, 30))).queued == 0
    sending.send_due()
    assert smtp.count_for("ada@example.org") == 2  # the confirmation and one digest
