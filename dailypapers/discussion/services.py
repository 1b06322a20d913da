"""What people do with comments, and the one Markdown renderer.

Every write: 1. asks accounts.rules.check_participation (suspended or logged-out people
are refused with its message), 2. checks the request (ownership, staff, length),
3. changes the rows. The database keeps FeedEntry.num_comments in step (triggers,
discussion/counters.py), whatever writes or deletes the rows, so the feed and the API
(numComments) count the comments people can see: a comment counts while it is neither
deleted nor hidden.
"""

from dataclasses import dataclass, field

import nh3
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from markdown_it import MarkdownIt

from dailypapers.accounts.rules import Refused, check_participation, has_staff_powers
from dailypapers.discussion.models import MAX_BODY_LENGTH, Comment, Report
from dailypapers.lib.text import xml_safe

# Pages indent replies up to this depth, then keep them flat (discussion.css).
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
        raise Refused(
            f"A comment can be at most {MAX_BODY_LENGTH:,} characters long (this one has {len(body):,})."
        )
    return body


def visible_count(paper):
    """How many comments of `paper` people can see: the local part of its feed entries'
    num_comments (the triggers start a new entry from it)."""
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
    return Comment.objects.create(
        paper=paper, user=user, parent=parent, body=body, body_html=render_markdown(body)
    )


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
    # Conditional: deleting twice (two tabs) changes the row, and the count, once.
    Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), body="", body_html=""
    )
    comment.refresh_from_db()
    return comment


def erase_comments_of(user):
    """Account deletion (people.services.delete_account): every live comment of `user`
    is deleted as a deletion of their own is: its text goes and the row stays, so its
    replies keep their place under "[deleted]". The feed counters follow (the database's
    triggers, discussion/counters.py). The number erased."""
    return Comment.objects.filter(user=user, deleted_at__isnull=True).update(
        deleted_at=timezone.now(), body="", body_html=""
    )


def hide_comment(staff, comment, hidden=True):
    """Staff only: hide a comment from everyone but staff, or show it again."""
    check_participation(staff)
    if not has_staff_powers(staff):
        raise Forbidden("Only moderators can hide comments.")
    Comment.objects.filter(pk=comment.pk, hidden=not hidden).update(hidden=hidden)
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
            report = Report.objects.create(
                comment=comment, reporter=user, reason=reason, details=details
            )
    except IntegrityError:
        return Report.objects.get(comment=comment, reporter=user), False
    return report, True


def resolve_reports(staff, reports):
    """Mark open reports resolved by `staff`; the number resolved."""
    if not has_staff_powers(staff):
        raise Forbidden("Only moderators can resolve reports.")
    return reports.filter(resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=staff
    )


# --- Reads ----------------------------------------------------------------------------------

# Replies nest without limit in the database; a page shows a thread this many levels deep
# (counting the comments it lists first as level 1). Deeper replies continue on the page of
# the comment they answer (views.thread, "Continue this thread"), as on Hacker News and
# Reddit, and the API gives them with ?parentId=.
MAX_DEPTH = 8
# A page lists this many top-level comments (the API's `limit` at most) ...
ROOTS_PER_PAGE = 50
# ... and at most this many comments in all: the replies of a busy page beyond it continue
# on their comments' own pages too. Below SQLite's 999 parameters per statement (the
# replies of one level are read with one IN list).
MAX_PAGE_COMMENTS = 200
# Page numbers beyond this are refused (keeps OFFSET within what every database accepts).
MAX_PAGE = 10_000


@dataclass
class Node:
    comment: Comment
    depth: int
    # False for a placeholder: a deleted comment (or one hidden from this viewer) kept
    # only because some of its replies are shown.
    shown: bool
    replies: list = field(default_factory=list)
    # Some replies to this comment are not on this page (too deep, or the page is full):
    # the page links to the comment's own thread page for them.
    more: bool = False

    @property
    def indent(self):
        return min(self.depth, MAX_DISPLAY_DEPTH)

    @property
    def placeholder(self):
        return "[deleted]" if self.comment.deleted else "[removed by moderators]"


@dataclass
class Thread:
    """One page of a discussion: `nodes` are the page's top-level comments (the paper's,
    or the replies to `anchor`) with their replies nested under them."""

    nodes: list
    page: int  # from 1
    pages: int
    total: int  # top-level comments over all pages
    anchor: "Node | None" = None

    @property
    def has_next(self):
        return self.page < self.pages

    def flat(self):
        return list(flatten(self.nodes))


def _is_staff(viewer):
    return has_staff_powers(viewer)


def _shown(comment, is_staff):
    return not comment.deleted and (is_staff or not comment.hidden)


def thread(paper, viewer=None, *, parent=None, page=1, per_page=ROOTS_PER_PAGE,
           max_depth=MAX_DEPTH, max_comments=MAX_PAGE_COMMENTS):  # fmt: skip
    """A page of the paper's discussion as a Thread: its top-level comments (the paper's,
    or the replies to `parent`) in posting order, `per_page` a page, each with its
    replies to `max_depth` levels and at most `max_comments` comments in all. What the
    viewer may not see is left out, except as a placeholder where it holds replies.

    The walk is level by level, without recursion, so a chain of any depth costs at most
    `max_depth` + 3 bounded queries:
    1. the page's top-level comments (those hidden from everyone with no replies are
       not counted), and how many there are;
    2. each deeper level's replies, with one IN query over the level above, until the
       depth or the comment budget is reached;
    3. which comments at the edge have replies that were not read (`Node.more`);
    4. placeholders that hold nothing shown are pruned, deepest level first.
    """
    is_staff = _is_staff(viewer)
    # On a comment's own page the comment itself is level 0.
    base = 0 if parent is None else 1
    # 1. The page's top-level comments.
    tops = _tops(paper, parent, is_staff)
    total = tops.count()
    pages = max(1, -(-total // per_page))
    offset = (page - 1) * per_page
    first = list(
        tops.select_related("user").thread_order()[offset : offset + min(per_page, max_comments)]
    )
    roots = [Node(c, base, _shown(c, is_staff)) for c in first]
    levels = [roots]
    budget = max_comments - len(roots)
    # 2. Deeper levels, one query each.
    unsure = []  # nodes whose replies may not all have been read
    while levels[-1]:
        above = levels[-1]
        if len(levels) >= max_depth or budget <= 0:
            unsure.extend(above)
            break
        by_id = {n.comment.pk: n for n in above}
        replies = list(
            Comment.objects.filter(parent_id__in=list(by_id))
            .select_related("user")
            .thread_order()[: budget + 1]
        )
        if len(replies) > budget:
            replies = replies[:budget]
            unsure.extend(above)
        level = []
        for c in replies:
            node = Node(c, above[0].depth + 1, _shown(c, is_staff))
            by_id[c.parent_id].replies.append(node)
            level.append(node)
        budget -= len(level)
        levels.append(level)
    # 3. Replies left unread at the edge.
    if unsure:
        read = {n.comment.pk: len(n.replies) for n in unsure}
        counts = (
            Comment.objects.filter(parent_id__in=list(read)).values("parent_id").annotate(n=Count("id"))
            .values_list("parent_id", "n")
        )  # fmt: skip
        more = {pk for pk, n in counts if n > read[pk]}
        for node in unsure:
            node.more = node.comment.pk in more
    # 4. Prune, deepest first: a placeholder stays only while it holds something.
    for level in reversed(levels):
        for node in level:
            node.replies = [r for r in node.replies if r.shown or r.replies or r.more]
    nodes = [n for n in roots if n.shown or n.replies or n.more]
    anchor = None
    if parent is not None:
        anchor = Node(parent, base - 1, _shown(parent, is_staff), replies=nodes)
    return Thread(nodes=nodes, page=page, pages=pages, total=total, anchor=anchor)


def _tops(paper, parent, is_staff):
    """The comments a thread page lists first: the paper's top-level comments, or the
    replies to `parent`; those the viewer cannot see only while they have replies."""
    tops = Comment.objects.filter(paper=paper)
    tops = tops.filter(parent__isnull=True) if parent is None else tops.filter(parent=parent)
    visible = Q(deleted_at__isnull=True) if is_staff else Q(deleted_at__isnull=True, hidden=False)
    return tops.filter(visible | Exists(Comment.objects.filter(parent=OuterRef("pk"))))


def _page_of(comment, is_staff, per_page=ROOTS_PER_PAGE):
    """The page of its thread page (the paper's, or its parent's) that lists `comment` first."""
    earlier = _tops(comment.paper_id, comment.parent_id, is_staff).filter(
        Q(created_at__lt=comment.created_at) | Q(created_at=comment.created_at, id__lt=comment.pk)
    )
    return earlier.count() // per_page + 1


def location(comment, viewer=None):
    """(page, parent id or None): where `comment` shows. A reply within MAX_DEPTH levels
    of its top-level comment is on the paper's page that lists that comment; a deeper one
    on its parent's thread page. At most MAX_DEPTH small queries."""
    is_staff = _is_staff(viewer)
    if comment.parent_id is None:
        return _page_of(comment, is_staff), None
    top, depth = comment, 0
    while top.parent_id is not None and depth < MAX_DEPTH:
        top = Comment.objects.only("id", "paper_id", "parent_id", "created_at").get(
            pk=top.parent_id
        )
        depth += 1
    if top.parent_id is None and depth < MAX_DEPTH:
        return _page_of(top, is_staff), None
    return _page_of(comment, is_staff), comment.parent_id


def flatten(nodes):
    """The tree in reading order (each comment followed by its replies), without recursion."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.replies))


def recent_comments(user, limit=20):
    """`user`'s latest comments that everyone can see, with their papers."""
    return list(
        Comment.objects.filter(
            user=user, deleted_at__isnull=True, hidden=False, paper__hidden=False
        )
        .select_related("paper")
        .only("id", "body_html", "created_at", "paper__arxiv_id", "paper__title")
        .order_by("-created_at")[:limit]
    )
