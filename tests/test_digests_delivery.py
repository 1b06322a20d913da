"""Building and sending digests against a real SMTP server on loopback, with faults."""

import datetime as dt
import json
import signal
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from dailypapers.digests import jobs, outbox, sending, subscriptions
from dailypapers.digests.models import OutboxMessage, Subscription
from dailypapers.digests.schedule import daily_period, weekly_period
from tests.digests_helpers import (
    PERIOD,
    SEED,
    STATE,
    active,
    digests_to,
    process_env,
    run_python,
    sender,
)
from tests.factories import make_entry

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(hours=7)  # past every backoff of a first or second retry


def later(hours=7):
    return timezone.now() + dt.timedelta(hours=hours)


def test_it_queues_one_digest_per_active_subscriber_and_period(feed_day):
    ada = active("ada@example.org")
    active("bob@example.org", frequency=Subscription.WEEKLY)
    Subscription.objects.create(email="eve@example.org")  # pending: never confirmed
    active("mallory@example.org", status=Subscription.UNSUBSCRIBED)
    active("bounced@example.org", disabled_at=timezone.now())

    first = outbox.build_outbox(PERIOD)
    again = outbox.build_outbox(PERIOD)

    assert first.queued == 1 and again.queued == 0
    row = OutboxMessage.objects.get()
    assert (row.subscription, row.period, row.status) == (
        ada,
        "daily:2026-11-27",
        OutboxMessage.QUEUED,
    )
    # The period's papers, best first; the day before is not part of it.
    assert row.entry_ids == [e.pk for e in feed_day]


def test_the_database_refuses_a_second_row_for_the_same_period(feed_day):
    from django.db import IntegrityError, transaction

    ada = active("ada@example.org")
    OutboxMessage.objects.create(
        subscription=ada, period=PERIOD.key, next_attempt_at=timezone.now()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(
            subscription=ada, period=PERIOD.key, next_attempt_at=timezone.now()
        )


def test_filters_bring_matching_papers_first_then_the_top_papers(feed_day):
    active("ada@example.org", categories=["cs.IR"], max_papers=3)
    active("kw@example.org", keywords=["DENSE retrieval"], max_papers=2)
    active("au@example.org", authors=["hopper"], max_papers=1)
    outbox.build_outbox(PERIOD)
    ids = dict(OutboxMessage.objects.values_list("subscription__email", "entry_ids"))
    retrieval, top, second = feed_day[4].pk, feed_day[0].pk, feed_day[1].pk
    assert ids["ada@example.org"] == [retrieval, top, second]
    assert ids["kw@example.org"] == [retrieval, top]
    assert ids["au@example.org"] == [retrieval]


def test_nothing_is_queued_for_a_period_without_papers():
    active("ada@example.org")
    result = outbox.build_outbox(daily_period(dt.date(2030, 1, 7)))
    assert (result.queued, result.empty) == (0, 1)


def test_a_digest_arrives_with_its_content_and_headers(smtp, feed_day):
    ada = active("ada@example.org", categories=["cs.IR"], max_papers=3)
    outbox.build_outbox(PERIOD)
    result = sending.send_due()
    assert result.sent == 1
    [message] = digests_to(smtp, "ada@example.org")
    assert message["Subject"] == "Papers of the day: Dense retrieval & re-ranking and 2 more"
    assert message["From"] == "dailypapers <digest@papers.example.org>"
    row = OutboxMessage.objects.get()
    assert (
        message["Message-ID"]
        == row.message_id
        == f"<digest.{row.pk}.daily.2026-11-27@papers.example.org>"
    )
    assert row.status == OutboxMessage.SENT and row.sent_at is not None
    # RFC 2369 / RFC 8058 unsubscribing.
    https, mailto = [part.strip().strip("<>") for part in message["List-Unsubscribe"].split(",")]
    assert https.startswith("https://papers.example.org/unsubscribe/")
    assert mailto.startswith("mailto:unsubscribe@papers.example.org?subject=unsubscribe-")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Plain text and HTML, each with every paper's title, authors, summary, votes and link.
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for entry in (feed_day[4], feed_day[0], feed_day[1]):
        paper = entry.paper
        url = f"https://papers.example.org/papers/{paper.arxiv_id}"
        assert paper.title in text and url in text and f"▲ {entry.upvotes}" in text
        assert url in html and paper.authors[0] in html
    assert "We study dense retrieval for search engines." in text
    assert "Dense retrieval &amp; re-ranking" in html and 'style="' in html
    assert "matches your category" in text
    assert feed_day[2].paper.title not in text  # max_papers = 3
    assert "/subscribe/manage/" in text and https in text
    assert ada.pk  # the persona


def test_a_backend_without_smtp_delivers_too(settings, feed_day):
    """Development without EMAIL_HOST prints mail on the console; the sender works with
    any Django mail backend, not only SMTP's."""
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    active("ada@example.org")
    outbox.build_outbox(PERIOD)
    result = sending.send_due()
    assert result.sent == 1
    [message] = mail.outbox
    assert message.to == ["ada@example.org"] and message.extra_headers["List-Unsubscribe-Post"]
    assert OutboxMessage.objects.get().status == OutboxMessage.SENT


def test_the_server_down_loses_nothing_and_sends_once_it_is_back(settings, smtp, feed_day):
    for i in range(3):
        active(f"r{i}@example.org")
    outbox.build_outbox(PERIOD)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = smtp.down_port()

    down = sending.send_due()

    assert down.sent == 0 and down.retried == 3
    assert "SMTP server unavailable" in down.errors[0]
    rows = OutboxMessage.objects.all()
    assert {r.status for r in rows} == {OutboxMessage.QUEUED}
    assert all(r.next_attempt_at > timezone.now() for r in rows)
    # Not due yet: a run right away sends nothing (back-off).
    settings.EMAIL_PORT = port
    assert sending.send_due().handled == 0
    assert sending.send_due(now=later()).sent == 3
    assert sorted(smtp.recipients()) == ["r0@example.org", "r1@example.org", "r2@example.org"]


@pytest.mark.parametrize(
    "fault",
    ["451 4.3.0 Mailbox busy, try later", "421 4.3.2 Service shutting down"],
)
def test_a_temporary_refusal_is_retried_with_backoff(smtp, feed_day, fault):
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        active(address)
    outbox.build_outbox(PERIOD)
    smtp.fail_rcpt("b@example.org", fault, times=1)

    first = sending.send_due()

    assert (first.sent, first.retried) == (2, 1)
    row = OutboxMessage.objects.get(subscription__email="b@example.org")
    assert row.status == OutboxMessage.QUEUED and row.attempts == 1 and fault[:3] in row.last_error
    delay = (row.next_attempt_at - timezone.now()).total_seconds()
    assert 50 < delay <= 60
    assert sending.send_due(now=later()).sent == 1
    assert sorted(smtp.recipients()) == ["a@example.org", "b@example.org", "c@example.org"]


def test_a_temporary_refusal_of_the_data_is_retried(smtp, feed_day):
    active("a@example.org")
    active("b@example.org")
    outbox.build_outbox(PERIOD)
    smtp.fail_data("451 4.3.0 Queue full", times=1)
    assert sending.send_due().sent == 1
    assert sending.send_due(now=later()).sent == 1
    assert sorted(smtp.recipients()) == ["a@example.org", "b@example.org"]


def test_retries_back_off_and_give_up_after_the_last_attempt(settings, smtp, feed_day):
    settings.DIGEST_MAX_ATTEMPTS = 3
    active("a@example.org")
    outbox.build_outbox(PERIOD)
    smtp.fail_rcpt("a@example.org", "451 4.3.0 Try later")
    sending.send_due()
    first = OutboxMessage.objects.get().next_attempt_at
    sending.send_due(now=later())
    row = OutboxMessage.objects.get()
    assert row.attempts == 2
    assert row.next_attempt_at - later() > dt.timedelta(seconds=110)  # 60 s, then 120 s
    sending.send_due(now=later(14))
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.FAILED and row.attempts == 3 and "gave up" in row.last_error
    assert first < row.next_attempt_at
    assert smtp.messages == []
    assert Subscription.objects.get().hard_bounces == 0  # temporary failures are not bounces


def test_a_permanent_refusal_is_recorded_and_repeated_bounces_stop_the_mail(
    settings, smtp, feed_day
):
    settings.DIGEST_MAX_HARD_BOUNCES = 2
    gone = active("gone@example.org")
    active("fine@example.org")
    smtp.fail_rcpt("gone@example.org", "550 5.1.1 No such user")

    for day in (dt.date(2026, 11, 26), dt.date(2026, 11, 27)):
        outbox.build_outbox(daily_period(day) if day.weekday() < 5 else None)
        sending.send_due()

    rows = OutboxMessage.objects.filter(subscription=gone)
    assert [r.status for r in rows] == [OutboxMessage.FAILED, OutboxMessage.FAILED]
    assert "550" in rows[0].last_error and rows[0].attempts == 1
    gone.refresh_from_db()
    assert gone.hard_bounces == 2 and gone.disabled_at is not None
    # Disabled: not queued any more, and nothing it had queued is sent.
    make_entry(dt.date(2026, 11, 27), upvotes=3)
    assert outbox.build_outbox(daily_period(dt.date(2026, 11, 30))).queued == 1
    sending.send_due()
    assert smtp.count_for("gone@example.org") == 0
    assert smtp.count_for("fine@example.org") == 3


def test_a_delivery_resets_the_bounce_count(smtp, feed_day):
    flaky = active("flaky@example.org", hard_bounces=2)
    outbox.build_outbox(PERIOD)
    sending.send_due()
    flaky.refresh_from_db()
    assert flaky.hard_bounces == 0


def test_a_connection_dropped_mid_batch_loses_and_repeats_nothing(smtp, feed_day):
    addresses = [f"r{i}@example.org" for i in range(10)]
    for address in addresses:
        active(address)
    outbox.build_outbox(PERIOD)
    smtp.drop_after(4)  # the 5th message is transmitted, then the connection drops

    first = sending.send_due(batch_size=10)

    assert (first.sent, first.retried) == (9, 1)
    assert len(smtp.messages) == 9
    assert sending.send_due(now=later()).sent == 1
    assert sorted(smtp.recipients()) == sorted(addresses)


def test_unsubscribed_and_disabled_addresses_get_nothing_already_queued(smtp, feed_day):
    ada = active("ada@example.org")
    bob = active("bob@example.org")
    active("carol@example.org")
    outbox.build_outbox(PERIOD)
    subscriptions.unsubscribe(ada)
    Subscription.objects.filter(pk=bob.pk).update(disabled_at=timezone.now())

    result = sending.send_due()

    assert (result.sent, result.skipped) == (1, 1)  # ada's row was skipped when she left
    assert smtp.recipients() == ["carol@example.org"]
    statuses = dict(OutboxMessage.objects.values_list("subscription__email", "status"))
    assert statuses == {
        "ada@example.org": "skipped",
        "bob@example.org": "skipped",
        "carol@example.org": "sent",
    }


def test_a_claim_is_not_taken_by_another_sender_until_its_lease_runs_out(settings, feed_day):
    for i in range(4):
        active(f"r{i}@example.org")
    outbox.build_outbox(PERIOD)
    now = timezone.now()
    mine = sending.claim_batch("one", now, 3)
    theirs = sending.claim_batch("two", now, 3)
    assert len(mine) == 3 and len(theirs) == 1
    assert not {r.pk for r in mine} & {r.pk for r in theirs}
    assert sending.claim_batch("three", now, 10) == []
    expired = now + dt.timedelta(seconds=settings.DIGEST_SEND_LEASE_SECONDS + 1)
    assert len(sending.claim_batch("three", expired, 10)) == 4


def test_the_build_command_reports_what_it_queued(feed_day, capsys):
    active("ada@example.org")
    active("bob@example.org", frequency=Subscription.WEEKLY)
    make_entry(dt.date(2026, 11, 18), upvotes=5)  # in the week before
    call_command("digest", "build", "--date", "2026-11-27", "--no-progress")
    out = capsys.readouterr().out
    assert "daily:2026-11-27 (Thursday, November 26, 2026): 5 papers, 1 digests queued" in out
    assert "weekly:2026-W48 (Week 47 of 2026 (Nov 16 – Nov 22)): 1 papers, 1 digests queued" in out
    # Saturday: no daily digest; the week's digest is already queued.
    call_command("digest", "build", "--date", "2026-11-28", "--no-progress")
    assert (
        "weekly:2026-W48 (Week 47 of 2026 (Nov 16 – Nov 22)): 1 papers, 0 digests queued"
        in capsys.readouterr().out
    )
    assert OutboxMessage.objects.count() == 2


def test_the_build_command_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command("digest", "build", "--date", "2026-13-01")


def test_weekly_periods_cover_the_previous_week():
    period = weekly_period(dt.date(2026, 11, 25))
    assert (period.key, period.first_day, period.last_day) == (
        "weekly:2026-W48",
        dt.date(2026, 11, 16),
        dt.date(2026, 11, 22),
    )
    monday = daily_period(dt.date(2026, 11, 30))
    assert (monday.first_day, monday.last_day) == (dt.date(2026, 11, 27), dt.date(2026, 11, 29))
    assert daily_period(dt.date(2026, 11, 28)) is None


# --- Real processes: killed mid-batch, two at once ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_sender_killed_mid_batch_is_taken_over_and_nobody_gets_two(tmp_path, smtp):
    env = process_env(tmp_path, smtp.port)
    assert run_python(env, SEED.replace("{count}", "30")) == "30"
    smtp.stall_after(10)  # the 11th message is held: the sender is killed while it waits
    first = sender(env, "--batch", "50")
    assert smtp.stalled.wait(30), first.communicate()
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    smtp.release()
    assert len(smtp.messages) == 10
    assert json.loads(run_python(env, STATE)) == {"sent": 10, "sending": 20}

    # Within the lease the claimed rows are left alone…
    again = sender(env)
    again.communicate(timeout=60)
    assert len(smtp.messages) == 10
    # …and once it has run out, another sender takes them over.
    time.sleep(1.1)
    after = sender({**env, "DIGEST_SEND_LEASE_SECONDS": "1"})
    out, err = after.communicate(timeout=60)
    assert after.returncode == 0, err
    assert "20 sent" in out
    recipients = smtp.recipients()
    assert len(recipients) == 30 and len(set(recipients)) == 30
    assert json.loads(run_python(env, STATE)) == {"sent": 30}


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_digest_exactly_once(tmp_path, smtp):
    env = process_env(tmp_path, smtp.port)
    assert run_python(env, SEED.replace("{count}", "300")) == "300"
    smtp.delay = 0.01  # a slower server, so that both senders are at work together
    senders = [sender(env, "--batch", "5") for _ in range(2)]
    outputs = [s.communicate(timeout=120) for s in senders]
    for proc, (_out, err) in zip(senders, outputs):
        assert proc.returncode == 0, err
    sent = [int(out.split(" sent")[0]) for out, _ in outputs]
    assert sum(sent) == 300
    assert min(sent) > 0, sent  # both took part
    recipients = smtp.recipients()
    assert len(recipients) == 300 and len(set(recipients)) == 300
    assert json.loads(run_python(env, STATE)) == {"sent": 300}


def test_the_worker_step_queues_from_the_send_hour_on_and_sends(smtp, feed_day):
    active("ada@example.org")
    early = dt.datetime(2026, 11, 27, 6, 59, tzinfo=dt.UTC)
    built, sent = jobs.run_scheduled(now=early)
    assert built == [] and sent.handled == 0
    built, sent = jobs.run_scheduled(now=early + dt.timedelta(minutes=1))
    assert [b.period for b in built] == ["daily:2026-11-27", "weekly:2026-W48"]
    assert sent.sent == 1 and smtp.recipients() == ["ada@example.org"]
    # Every later step that day finds the digest already queued and sent.
    built, sent = jobs.run_scheduled(now=early + dt.timedelta(hours=3))
    assert sum(b.queued for b in built) == 0 and sent.handled == 0


def test_a_refused_sender_address_is_no_bounce_and_stops_the_run(smtp, feed_day):
    ada = active("ada@example.org")
    active("bob@example.org")
    outbox.build_outbox(PERIOD)
    smtp.mail_reply = "553 5.7.1 Sender address rejected"
    result = sending.send_due()
    assert (result.sent, result.failed, result.retried) == (0, 0, 2)
    ada.refresh_from_db()
    assert ada.hard_bounces == 0
    smtp.mail_reply = None
    assert sending.send_due(now=later()).sent == 2
