"""The discussion on the paper page and its forms: posting, replies, editing and
deleting one's own, reports, staff hiding, refusals, rate limits, the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from dailypapers.accounts.models import Profile
from dailypapers.discussion import services
from dailypapers.discussion.models import Comment, Report
from tests.discussion_helpers import parse

pytestmark = pytest.mark.django_db


def post_url(paper):
    return reverse("discussion:post", args=[paper.arxiv_id])


def page(client, paper, **params):
    response = client.get(paper.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_readers_get_a_log_in_link_and_no_form(client, alice, paper):
    services.post_comment(alice, paper, "Readable by all")
    html = page(client, paper)
    assert "Readable by all" in html
    assert "Log in to comment" in html
    assert post_url(paper) not in html


def test_anonymous_posts_go_to_log_in(client, paper):
    response = client.post(post_url(paper), {"body": "hello"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_it_posts_a_comment_and_shows_it_on_the_page(client, alice, paper, entry):
    client.force_login(alice)
    response = client.post(post_url(paper), {"body": "Great **paper**"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{paper.get_absolute_url()}#c{comment.pk}"
    html = page(client, paper)
    assert "Your comment is posted." in html
    assert "<strong>paper</strong>" in html
    assert "Discussion (1)" in html
    assert ">1 here</a>" in html  # the count in the paper's details


def test_posting_needs_post_and_csrf(alice, paper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(post_url(paper)).status_code == 405
    assert client.post(post_url(paper), {"body": "no token"}).status_code == 403
    assert not Comment.objects.exists()


def test_it_replies_through_the_form(client, alice, bob, paper):
    parent = services.post_comment(alice, paper, "parent")
    client.force_login(bob)
    client.post(post_url(paper), {"body": "a reply", "parent": parent.pk})
    reply = Comment.objects.get(body="a reply")
    assert reply.parent == parent and reply.user == bob
    tree = parse(page(client, paper))
    article = tree.find_all(lambda e: e.attrs.get("id") == f"c{reply.pk}")[0]
    assert article.has_class("indent-1")


def test_the_reply_link_opens_the_reply_form(client, alice, bob, paper):
    comment = services.post_comment(alice, paper, "parent")
    client.force_login(bob)
    tree = parse(page(client, paper, reply=comment.pk))
    opened = tree.find_all(lambda e: e.tag == "details" and "open" in e.attrs)
    assert len(opened) == 1
    assert opened[0].find_all(lambda e: e.attrs.get("name") == "parent")[0].attrs["value"] == str(
        comment.pk
    )


def test_a_reply_to_a_comment_of_another_paper_is_404(client, alice, paper):
    from tests.factories import make_paper

    other = services.post_comment(alice, make_paper(), "elsewhere")
    client.force_login(alice)
    assert client.post(post_url(paper), {"body": "x", "parent": other.pk}).status_code == 404


def test_empty_and_too_long_comments_are_refused_with_the_text_kept(client, alice, paper):
    client.force_login(alice)
    response = client.post(post_url(paper), {"body": "   "})
    assert response.status_code == 400
    assert "A comment cannot be empty." in response.content.decode()
    long_text = "word " * 2001
    response = client.post(post_url(paper), {"body": long_text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 10,000 characters" in html
    assert long_text.strip() in html
    assert not Comment.objects.exists()


def test_a_suspended_user_cannot_post_and_sees_why(client, alice, paper, entry):
    Profile.of(alice).suspend("spam")
    client.force_login(alice)
    html = page(client, paper)
    assert "This account is suspended" in html
    assert post_url(paper) not in html
    response = client.post(post_url(paper), {"body": "let me in"})
    assert response.status_code == 403
    assert "This account is suspended" in response.content.decode()
    assert not Comment.objects.exists()
    entry.refresh_from_db()
    assert entry.num_comments == 0


def test_comment_posts_over_the_rate_answer_429_with_a_message(client, alice, paper, settings):
    settings.RATE_LIMIT_COMMENT = "2/m"
    client.force_login(alice)
    for i in range(2):
        assert client.post(post_url(paper), {"body": f"comment {i}"}).status_code == 302
    response = client.post(post_url(paper), {"body": "one too many"})
    assert response.status_code == 429
    assert "Too many comments in a short time" in response.content.decode()
    assert Comment.objects.count() == 2


def test_reports_over_the_rate_answer_429(client, alice, bob, paper, settings):
    settings.RATE_LIMIT_REPORT = "1/m"
    first = services.post_comment(alice, paper, "one")
    second = services.post_comment(alice, paper, "two")
    client.force_login(bob)
    assert (
        client.post(reverse("discussion:report", args=[first.pk]), {"reason": "spam"}).status_code
        == 302
    )
    response = client.post(reverse("discussion:report", args=[second.pk]), {"reason": "spam"})
    assert response.status_code == 429
    assert "Too many reports" in response.content.decode()


def test_the_author_edits_their_comment(client, alice, paper):
    comment = services.post_comment(alice, paper, "old text")
    client.force_login(alice)
    edit = reverse("discussion:edit", args=[comment.pk])
    assert "old text" in client.get(edit).content.decode()
    response = client.post(edit, {"body": "new *text*"})
    assert response.status_code == 302
    html = page(client, paper)
    assert "new <em>text</em>" in html and "edited" in html


def test_others_cannot_edit_or_delete(client, alice, bob, paper):
    comment = services.post_comment(alice, paper, "alice's words")
    client.force_login(bob)
    assert client.get(reverse("discussion:edit", args=[comment.pk])).status_code == 403
    assert (
        client.post(reverse("discussion:edit", args=[comment.pk]), {"body": "bob's"}).status_code
        == 403
    )
    assert client.get(reverse("discussion:delete", args=[comment.pk])).status_code == 403
    assert client.post(reverse("discussion:delete", args=[comment.pk])).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "alice's words" and not comment.deleted
    html = page(client, paper)
    assert reverse("discussion:edit", args=[comment.pk]) not in html


def test_delete_asks_then_deletes_and_keeps_replies(client, alice, bob, paper, entry):
    comment = services.post_comment(alice, paper, "to be deleted")
    services.post_comment(bob, paper, "the reply", parent=comment)
    client.force_login(alice)
    url = reverse("discussion:delete", args=[comment.pk])
    confirm = client.get(url).content.decode()
    assert "Delete your comment?" in confirm and "to be deleted" in confirm
    assert client.post(url).status_code == 302
    html = page(client, paper)
    assert "[deleted]" in html and "to be deleted" not in html and "the reply" in html
    entry.refresh_from_db()
    assert entry.num_comments == 1


def test_hidden_comments_are_seen_by_staff_only(client, alice, bob, sam, paper):
    comment = services.post_comment(alice, paper, "Something rude")
    client.force_login(bob)
    assert (
        client.post(reverse("discussion:hide", args=[comment.pk])).status_code == 302
    )  # to the admin log-in
    comment.refresh_from_db()
    assert not comment.hidden

    client.force_login(sam)
    assert (
        client.post(reverse("discussion:hide", args=[comment.pk]), {"action": "hide"}).status_code
        == 302
    )
    staff_html = page(client, paper)
    assert (
        "Something rude" in staff_html
        and "hidden by moderators" in staff_html
        and "Unhide" in staff_html
    )

    for viewer in (alice, bob):
        client.force_login(viewer)
        assert "Something rude" not in page(client, paper)
        assert client.get(reverse("discussion:report", args=[comment.pk])).status_code == 404
    client.logout()
    assert "Something rude" not in page(client, paper)

    client.force_login(sam)
    client.post(reverse("discussion:hide", args=[comment.pk]), {"action": "unhide"})
    client.logout()
    assert "Something rude" in page(client, paper)


def test_a_report_is_made_once_with_a_message(client, alice, bob, paper):
    comment = services.post_comment(alice, paper, "spammy")
    client.force_login(bob)
    url = reverse("discussion:report", args=[comment.pk])
    client.post(url, {"reason": "spam", "details": "ads"})
    assert "reported to the moderators" in page(client, paper)
    client.post(url, {"reason": "abuse"})
    assert "already reported" in page(client, paper)
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.details) == (bob, "spam", "ads")


def test_a_report_without_a_reason_shows_the_form_again(client, alice, bob, paper):
    comment = services.post_comment(alice, paper, "x")
    client.force_login(bob)
    response = client.post(reverse("discussion:report", args=[comment.pk]), {"reason": "nonsense"})
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_the_thread_takes_as_many_queries_whatever_its_size(client, alice, bob, paper):
    # One query per level shown (services.thread), so a page's queries depend on the
    # depth shown, which is bounded, not on the number of comments.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def chain(n, tag):
        parent = None
        for i in range(n):
            parent = services.post_comment(
                alice if i % 2 else bob, paper, f"{tag} {i}", parent=parent
            )

    chain(services.MAX_DEPTH + 2, "first")
    client.force_login(bob)
    page(client, paper)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as small:
        page(client, paper)
    for _ in range(3):
        chain(services.MAX_DEPTH + 5, "more")
    with CaptureQueriesContext(connection) as large:
        html = page(client, paper)
    assert "more 7" in html and "more 8" not in html  # level 9 continues on its own page
    assert len(large.captured_queries) == len(small.captured_queries)
    comment_queries = [q["sql"] for q in large.captured_queries if "discussion_comment" in q["sql"]]
    assert len(comment_queries) <= services.MAX_DEPTH + 4


def test_the_profile_lists_recent_visible_comments(client, alice, sam, paper):
    shown = services.post_comment(alice, paper, "Visible remark")
    services.hide_comment(sam, services.post_comment(alice, paper, "Hidden remark"))
    html = client.get(reverse("people:profile", args=["alice"])).content.decode()
    assert "Visible remark" in html and "Hidden remark" not in html
    assert f"{paper.get_absolute_url()}#c{shown.pk}" in html


def test_the_admin_lists_reports_and_its_actions_work(client, alice, bob, sam, paper, entry):
    sam.is_superuser = True
    sam.save()
    comment = services.post_comment(alice, paper, "Reported words here")
    services.report_comment(bob, comment, "abuse", "insults")
    report = Report.objects.get()
    client.force_login(sam)
    url = reverse("admin:discussion_report_changelist")
    html = client.get(url).content.decode()
    assert "Reported words here" in html and "bob" in html and "Harassment or abuse" in html

    client.post(url, {"action": "hide_comments", "_selected_action": [report.pk]})
    comment.refresh_from_db()
    report.refresh_from_db()
    entry.refresh_from_db()
    assert comment.hidden and report.resolved_by == sam and entry.num_comments == 0

    report.resolved_at = None
    report.save()
    client.post(url, {"action": "mark_resolved", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.resolved_at is not None

    assert (
        client.get(
            reverse("admin:discussion_comment_changelist"), {"hidden__exact": "1"}
        ).status_code
        == 200
    )
    assert (
        "Reported words here"
        in client.get(
            reverse("admin:discussion_comment_changelist"), {"q": "Reported"}
        ).content.decode()
    )
