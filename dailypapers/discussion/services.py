"""What people do with comments, and the one Markdown renderer.

Every write: 1. asks accounts.rules.check_participation (suspended or logged-out people
are refused with its message), 2. checks the request (ownership, staff, length),
3. changes the rows in one transaction, keeping FeedEntry.num_comments in step with
F() so the feed and the API (numComments) count the comments people can see.

A comment counts while it is neither deleted nor hidden; each change of that state
moves the counter of every feed entry of the paper by one.
"""

from collections import Counter
from dataclasses import dataclass, field

import nh3
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from markdown_it import MarkdownIt

from dailypapers.accounts.rules import Refused, check_participation, has_staff_powers
from dailypapers.discussion.models import MAX_BODY_LENGTH, Comment, Report
from dailypapers.lib.text import xml_safe
from dailypapers.papers.models import FeedEntry

# Replies nest without limit; pages indent them up to this depth, then keep them flat.
MAX_DISPLAY_DEPTH = 4


class Forbidden(Refused):
    """Not this person's to do: someone else's comment, a staff action by non-staff, or
    anything by a suspended person."""

    status = 403


# --- Markdown ------------------------------------------------------------------------------

# CommonMark with raw HTML off (it is shown as text). Images are off too (a comment must
# not load anything from elsewhere); headings are off so a comment cannot take over the
# page's outline ("# x" stays a paragraph).
_markdown = MarkdownIt("commonmark", {"html": False}).disable(["image", "heading", "lheading"])

# What may reach a page, whatever the renderer emits: nh3 (Rust's ammonia) removes every
# other tag and attribute, every URL scheme but these, and sets rel on links.
ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener ugc"


def render_markdown(text):
    """Sanitised HTML for Markdown `text` (comments; reusable for any user-written text)."""
    # nh3 takes UTF-8: a lone surrogate would raise, a control character would reach the page.
    html = _markdown.render(xml_safe(text or ""))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # Removed with their content, should a renderer ever let them through.
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


# --- Writes ---------------------------------------------------------------------------------


def _clean_body(body):
    # The form and the API both come here. NUL cannot be stored (PostgreSQL refuses it in
    # text); the other characters XML cannot hold are dropped (lib/text.py xml_safe).
    body = body or ""
    if "\x00" in body:
        raise Refused("A comment cannot contain NUL characters.")
    body = xml_safe(body).replace("\r\n", "\n").strip()
    if not body:
        raise Refused("A comment cannot be empty.")
    if len(body) > MAX_BODY_LENGTH:
        raise Refused(f"A comment can be at most {MAX_BODY_LENGTH:,} characters long (this one has {len(body):,}).")
    return body


def _move_count(paper_id, delta):
    """Add `delta` (±1) to the comment count of the paper's feed entries; updated_at
    moves too, since page caches and API ETags are keyed on it (papers/selectors.py)."""
    entries = FeedEntry.objects.filter(paper_id=paper_id)
    if delta < 0:
        # An entry featured after the comment was posted may not count it.
        entries = entries.filter(num_comments__gt=0)
    entries.update(num_comments=F("num_comments") + delta, updated_at=timezone.now())


def visible_count(paper):
    """How many comments of `paper` people can see: what a new FeedEntry's num_comments
    starts from."""
    return Comment.objects.filter(paper=paper, deleted_at__isnull=True, hidden=False).count()


def post_comment(user, paper, body, parent=None):
    """A new comment of `user` on `paper`, a reply to `parent` when given."""
    check_participation(user)
    body = _clean_body(body)
    if paper.hidden:
        raise Refused("This paper cannot be commented on.")
    if parent is not None:
        if parent.paper_id != paper.pk:
            raise Refused("A reply must be on the same paper as the comment it answers.")
        if parent.deleted:
            raise Refused("This comment was deleted: it cannot be answered.")
        if parent.hidden and not has_staff_powers(user):
            raise Refused("This comment cannot be answered.")
    with transaction.atomic():
        comment = Comment.objects.create(
            paper=paper, user=user, parent=parent, body=body, body_html=render_markdown(body)
        )
        _move_count(paper.pk, +1)
    return comment


def _own_live_comment(user, comment):
    if comment.user_id is None or comment.user_id != user.pk:
        raise Forbidden("You can only change your own comments.")
    if comment.deleted:
        raise Refused("This comment was deleted.")


def edit_comment(user, comment, body):
    check_participation(user)
    _own_live_comment(user, comment)
    body = _clean_body(body)
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


def delete_comment(user, comment):
    """Soft delete: the text goes, the row stays to hold its replies in place."""
    check_participation(user)
    _own_live_comment(user, comment)
    with transaction.atomic():
        # The conditional UPDATE decides: deleting twice (two tabs) counts once.
        changed = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
            deleted_at=timezone.now(), body="", body_html=""
        )
        if changed:
            hidden = Comment.objects.filter(pk=comment.pk).values_list("hidden", flat=True).get()
            if not hidden:
                _move_count(comment.paper_id, -1)
    comment.refresh_from_db()
    return comment


def erase_comments_of(user):
    """Account deletion (accounts.services.delete_account): every live comment of `user`
    is deleted as a deletion of their own is: its text goes and the row stays, so its
    replies keep their place under "[deleted]". The feed counters lose the ones people
    could see. The number erased."""
    with transaction.atomic():
        live = Comment.objects.select_for_update().filter(user=user, deleted_at__isnull=True)
        rows = list(live.values_list("pk", "paper_id", "hidden"))
        Comment.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
            deleted_at=timezone.now(), body="", body_html=""
        )
        shown = Counter(paper_id for _, paper_id, hidden in rows if not hidden)
        for paper_id, n in shown.items():
            # _move_count's -n; never below what the source counted (an entry featured
            # after some of the comments were posted counts fewer of them).
            FeedEntry.objects.filter(paper_id=paper_id).update(
                num_comments=Greatest(F("num_comments") - n, F("imported_comments")), updated_at=timezone.now()
            )
    return len(rows)


def hide_comment(staff, comment, hidden=True):
    """Staff only: hide a comment from everyone but staff, or show it again."""
    check_participation(staff)
    if not has_staff_powers(staff):
        raise Forbidden("Only moderators can hide comments.")
    with transaction.atomic():
        changed = Comment.objects.filter(pk=comment.pk, hidden=not hidden).update(hidden=hidden)
        if changed:
            deleted = Comment.objects.filter(pk=comment.pk).values_list("deleted_at", flat=True).get()
            if deleted is None:
                _move_count(comment.paper_id, -1 if hidden else +1)
    comment.refresh_from_db()
    return comment


def report_comment(user, comment, reason, details=""):
    """(report, created): one report per person per comment (a database constraint);
    reporting again keeps the first."""
    check_participation(user)
    if reason not in Report.Reason.values:
        raise Refused("Choose a reason for the report.")
    if comment.deleted or not comment.visible_to(user):
        raise Refused("This comment cannot be reported.")
    details = (details or "").strip()[:1000]
    try:
        with transaction.atomic():
            report = Report.objects.create(comment=comment, reporter=user, reason=reason, details=details)
    except IntegrityError:
        return Report.objects.get(comment=comment, reporter=user), False
    return report, True


def resolve_reports(staff, reports):
    """Mark open reports resolved by `staff`; the number resolved."""
    if not has_staff_powers(staff):
        raise Forbidden("Only moderators can resolve reports.")
    return reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=staff)


# --- Reads ----------------------------------------------------------------------------------


@dataclass
class Node:
    comment: Comment
    depth: int
    # False for a placeholder: a deleted comment (or one hidden from this viewer) kept
    # only because some of its replies are shown.
    shown: bool
    replies: list = field(default_factory=list)

    @property
    def indent(self):
        return min(self.depth, MAX_DISPLAY_DEPTH)

    @property
    def placeholder(self):
        return "[deleted]" if self.comment.deleted else "[removed by moderators]"


def thread(paper, viewer=None):
    """The paper's comments as a tree of Nodes (roots in posting order, replies under
    their parent), from one query. What the viewer may not see is left out, except as a
    placeholder where it holds replies they can see."""
    is_staff = has_staff_powers(viewer)
    comments = list(Comment.objects.filter(paper=paper).select_related("user").thread_order())
    nodes = {c.pk: Node(c, 0, not c.deleted and (is_staff or not c.hidden)) for c in comments}
    roots = []
    for c in comments:
        node = nodes[c.pk]
        parent = nodes.get(c.parent_id)
        if parent is None:
            roots.append(node)
        else:
            parent.replies.append(node)
    return _prune(roots, 0)


def _prune(nodes, depth):
    kept = []
    for node in nodes:
        node.depth = depth
        node.replies = _prune(node.replies, depth + 1)
        if node.shown or node.replies:
            kept.append(node)
    return kept


def flatten(nodes):
    """The tree in reading order (each comment followed by its replies)."""
    for node in nodes:
        yield node
        yield from flatten(node.replies)


def recent_comments(user, limit=20):
    """`user`'s latest comments that everyone can see, with their papers."""
    return list(
        Comment.objects.filter(user=user, deleted_at__isnull=True, hidden=False, paper__hidden=False)
        .select_related("paper")
        .only("id", "body_html", "created_at", "paper__arxiv_id", "paper__title")
        .order_by("-created_at")[:limit]
    )
