"""The comment services: participation, validation, threading, soft delete, hiding,
reports, and the feed's comment counters."""

import pytest
from django.db import IntegrityError

from dailypapers.accounts.models import Profile
from dailypapers.discussion import services
from dailypapers.discussion.models import MAX_BODY_LENGTH, Comment, Report
from dailypapers.papers.models import FeedEntry
from tests.factories import make_entry, make_paper, make_user

pytestmark = pytest.mark.django_db


def count(entry):
    entry.refresh_from_db()
    return entry.num_comments


def test_posting_renders_markdown_and_counts_on_every_feature(alice, paper, entry):
    again = make_entry("2025-03-10", paper=paper)
    comment = services.post_comment(alice, paper, "  **Nice** result  ")
    assert comment.body == "**Nice** result"
    assert comment.body_html == "<p><strong>Nice</strong> result</p>\n"
    assert count(entry) == 1 and count(again) == 1


def test_posting_moves_updated_at_of_the_entries(alice, paper, entry):
    before = entry.updated_at
    services.post_comment(alice, paper, "hello")
    entry.refresh_from_db()
    assert entry.updated_at > before


@pytest.mark.parametrize("body", ["", "   ", "\n\n"])
def test_it_refuses_an_empty_comment(alice, paper, body):
    with pytest.raises(services.Refused, match="cannot be empty"):
        services.post_comment(alice, paper, body)


def test_it_refuses_a_too_long_comment(alice, paper):
    services.post_comment(alice, paper, "x" * MAX_BODY_LENGTH)
    with pytest.raises(services.Refused, match="at most 10,000 characters"):
        services.post_comment(alice, paper, "x" * (MAX_BODY_LENGTH + 1))


def test_it_refuses_suspended_and_anonymous_people(alice, paper, entry):
    Profile.of(alice).suspend("spam")
    with pytest.raises(services.Refused, match="suspended"):
        services.post_comment(alice, paper, "hello")
    with pytest.raises(services.Refused, match="Log in"):
        services.post_comment(None, paper, "hello")
    assert not Comment.objects.exists() and count(entry) == 0


def test_a_suspended_author_cannot_edit_delete_or_report(alice, bob, paper):
    mine = services.post_comment(alice, paper, "mine")
    theirs = services.post_comment(bob, paper, "theirs")
    Profile.of(alice).suspend()
    for call in (
        lambda: services.edit_comment(alice, mine, "changed"),
        lambda: services.delete_comment(alice, mine),
        lambda: services.report_comment(alice, theirs, "spam"),
    ):
        with pytest.raises(services.Refused, match="suspended"):
            call()


def test_replies_form_a_thread_in_order(alice, bob, paper):
    first = services.post_comment(alice, paper, "first")
    second = services.post_comment(bob, paper, "second")
    reply = services.post_comment(bob, paper, "reply to first", parent=first)
    deeper = services.post_comment(alice, paper, "reply to reply", parent=reply)
    nodes = list(services.flatten(services.thread(paper).nodes))
    assert [(n.comment.pk, n.depth) for n in nodes] == [
        (first.pk, 0),
        (reply.pk, 1),
        (deeper.pk, 2),
        (second.pk, 0),
    ]


def test_display_depth_is_bounded(alice, paper):
    parent = None
    for i in range(7):
        parent = services.post_comment(alice, paper, f"level {i}", parent=parent)
    nodes = list(services.flatten(services.thread(paper).nodes))
    assert [n.depth for n in nodes] == list(range(7))
    assert [n.indent for n in nodes] == [0, 1, 2, 3, 4, 4, 4]


def test_a_reply_must_be_on_its_parents_paper(alice, paper):
    parent = services.post_comment(alice, paper, "here")
    with pytest.raises(services.Refused, match="same paper"):
        services.post_comment(alice, make_paper(), "elsewhere", parent=parent)


def test_only_the_author_edits(alice, bob, paper):
    comment = services.post_comment(alice, paper, "old")
    with pytest.raises(services.Forbidden):
        services.edit_comment(bob, comment, "hijacked")
    services.edit_comment(alice, comment, "new [link](https://example.org)")
    comment.refresh_from_db()
    assert comment.edited_at is not None
    assert 'href="https://example.org"' in comment.body_html


def test_delete_is_soft_and_keeps_replies(alice, bob, paper, entry):
    parent = services.post_comment(alice, paper, "parent text")
    reply = services.post_comment(bob, paper, "reply", parent=parent)
    with pytest.raises(services.Forbidden):
        services.delete_comment(bob, parent)
    services.delete_comment(alice, parent)
    parent.refresh_from_db()
    assert parent.deleted and parent.body == "" and parent.body_html == ""
    assert count(entry) == 1
    nodes = list(services.flatten(services.thread(paper).nodes))
    assert [(n.comment.pk, n.shown) for n in nodes] == [(parent.pk, False), (reply.pk, True)]
    assert nodes[0].placeholder == "[deleted]"
    # Deleting again changes nothing, counts nothing.
    with pytest.raises(services.Refused):
        services.delete_comment(alice, parent)
    assert count(entry) == 1


def test_a_deleted_comment_without_replies_disappears(alice, paper):
    comment = services.post_comment(alice, paper, "gone")
    services.delete_comment(alice, comment)
    assert services.thread(paper).nodes == []


def test_hiding_is_for_staff_and_hides_from_everyone_else(alice, bob, sam, paper, entry):
    comment = services.post_comment(alice, paper, "rude")
    with pytest.raises(services.Forbidden):
        services.hide_comment(bob, comment)
    services.hide_comment(sam, comment)
    assert count(entry) == 0
    assert services.thread(paper, bob).nodes == []
    assert services.thread(paper, alice).nodes == []
    assert [n.comment.pk for n in services.flatten(services.thread(paper, sam).nodes)] == [
        comment.pk
    ]
    services.hide_comment(sam, comment)  # twice: counted once
    assert count(entry) == 0
    services.hide_comment(sam, comment, hidden=False)
    assert count(entry) == 1
    assert [n.comment.pk for n in services.flatten(services.thread(paper, bob).nodes)] == [
        comment.pk
    ]


def test_a_hidden_comment_with_replies_is_a_placeholder_for_others(alice, bob, sam, paper):
    hidden = services.post_comment(alice, paper, "rude")
    reply = services.post_comment(bob, paper, "calm reply", parent=hidden)
    services.hide_comment(sam, hidden)
    nodes = list(services.flatten(services.thread(paper, bob).nodes))
    assert [(n.comment.pk, n.shown) for n in nodes] == [(hidden.pk, False), (reply.pk, True)]
    assert nodes[0].placeholder == "[removed by moderators]"
    with pytest.raises(services.Refused):
        services.post_comment(bob, paper, "another reply", parent=hidden)


def test_deleting_a_hidden_comment_does_not_count_twice(alice, sam, paper, entry):
    comment = services.post_comment(alice, paper, "x")
    services.hide_comment(sam, comment)
    services.delete_comment(alice, comment)
    services.hide_comment(sam, comment, hidden=False)
    assert count(entry) == 0


def test_a_count_never_goes_below_zero(alice, paper):
    comment = services.post_comment(alice, paper, "before the feature")
    later = make_entry("2025-04-01", paper=paper)  # featured after the comment: counts 0
    services.delete_comment(alice, comment)
    assert count(later) == 0


def test_visible_count_is_what_a_new_feature_starts_from(alice, sam, paper):
    services.post_comment(alice, paper, "a")
    services.hide_comment(sam, services.post_comment(alice, paper, "b"))
    services.delete_comment(alice, services.post_comment(alice, paper, "c"))
    assert services.visible_count(paper) == 1


def test_one_report_per_person_per_comment(alice, bob, paper):
    comment = services.post_comment(alice, paper, "x")
    report, created = services.report_comment(bob, comment, "spam", "selling things")
    assert created and report.details == "selling things"
    again, created = services.report_comment(bob, comment, "abuse")
    assert not created and again.pk == report.pk and again.reason == "spam"
    assert Report.objects.count() == 1
    with pytest.raises(IntegrityError):
        Report.objects.create(comment=comment, reporter=bob, reason="other")


def test_reports_need_a_known_reason_and_a_live_comment(alice, bob, paper):
    comment = services.post_comment(alice, paper, "x")
    with pytest.raises(services.Refused, match="reason"):
        services.report_comment(bob, comment, "because")
    services.delete_comment(alice, comment)
    with pytest.raises(services.Refused):
        services.report_comment(bob, comment, "spam")


def test_resolving_reports(alice, bob, sam, paper):
    comment = services.post_comment(alice, paper, "x")
    services.report_comment(bob, comment, "spam")
    assert services.resolve_reports(sam, Report.objects.all()) == 1
    assert services.resolve_reports(sam, Report.objects.all()) == 0
    assert Report.objects.get().resolved_by == sam


def test_comments_stay_when_the_account_goes(alice, bob, paper, entry):
    comment = services.post_comment(alice, paper, "kept")
    reply = services.post_comment(bob, paper, "reply", parent=comment)
    alice.delete()
    comment.refresh_from_db()
    assert comment.user is None
    assert [n.comment.pk for n in services.flatten(services.thread(paper).nodes)] == [
        comment.pk,
        reply.pk,
    ]
    assert FeedEntry.objects.get(pk=entry.pk).num_comments == 2


def test_recent_comments_are_the_visible_ones(alice, sam, paper):
    shown = services.post_comment(alice, paper, "shown")
    services.hide_comment(sam, services.post_comment(alice, paper, "hidden"))
    services.delete_comment(alice, services.post_comment(alice, paper, "deleted"))
    later_hidden = make_paper()
    services.post_comment(alice, later_hidden, "on a paper hidden since")
    later_hidden.hidden = True
    later_hidden.save()
    assert [c.pk for c in services.recent_comments(alice)] == [shown.pk]


def test_export_lists_the_persons_comments(alice, bob, paper):
    from dailypapers.discussion.export import export_user_data

    parent = services.post_comment(bob, paper, "parent")
    mine = services.post_comment(alice, paper, "my reply", parent=parent)
    services.report_comment(alice, parent, "off_topic")
    data = export_user_data(alice)
    assert data["comments"] == [{
        "id": mine.pk, "paper": paper.arxiv_id, "parent_id": parent.pk, "body": "my reply",
        "created_at": mine.created_at.isoformat(), "edited_at": None, "deleted_at": None, "hidden": False,
    }]  # fmt: skip
    assert [r["reason"] for r in data["reports"]] == ["off_topic"]
    assert export_user_data(make_user("carol")) == {"comments": [], "reports": []}
