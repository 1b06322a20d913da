"""The discussion in the JSON API.

    GET  /api/papers/{paper_id}/comments   public: a page of the thread, nested (replies under
                                           their comment), `p`/`limit`, `parentId` for the
                                           replies to one comment; next page in a Link header
    POST /api/papers/{paper_id}/comments   token: {"body": "…", "parentId": 12} → 201 the new comment

Errors are `{"error": "…"}`: 400 bad input, 401 no valid token, 403 not allowed (a
suspended account), 404 no such paper or comment, 429 too many.
"""

import datetime as dt

from django.http import JsonResponse
from ninja import Field, Query, Router, Schema

from dailypapers.accounts.tokens import bearer
from dailypapers.api.http import error_response
from dailypapers.api.serializers import ErrorOut
from dailypapers.core.ratelimits import check
from dailypapers.discussion import services
from dailypapers.discussion.models import MAX_BODY_LENGTH, Comment
from dailypapers.papers.models import Paper

router = Router(tags=["discussion"])


class CommentOut(Schema):
    id: int
    parentId: int | None = Field(..., description="the comment this one answers")
    author: str | None = Field(
        ..., description="username; null when deleted or hidden, or the account is gone"
    )
    createdAt: dt.datetime
    editedAt: dt.datetime | None
    # A placeholder keeps the place of a deleted comment (or one removed by moderators)
    # that has replies: no author, no text.
    placeholder: bool
    body: str = Field(..., description="Markdown source")
    bodyHtml: str = Field(..., description="sanitised HTML, as on the paper page")
    replies: list["CommentOut"]
    moreReplies: bool = Field(
        ...,
        description="some replies to this comment are not in this response (too deep, or the "
        "response is full): ask for them with `?parentId=` this comment's id",
    )


CommentOut.model_rebuild()


class CommentsQuery(Schema):
    p: int = Field(0, ge=0, le=services.MAX_PAGE, description="page of top-level comments, from 0")
    limit: int = Field(
        services.ROOTS_PER_PAGE,
        ge=1,
        le=services.ROOTS_PER_PAGE,
        description="top-level comments per page",
    )
    parentId: int = Field(
        None, ge=1, le=2**63 - 1, description="the replies to this comment instead"
    )


class CommentIn(Schema):
    body: str = Field(..., max_length=MAX_BODY_LENGTH * 2, description="Markdown")
    parentId: int | None = Field(None, ge=1, description="to reply to a comment of the same paper")


def _one_json(node):
    c = node.comment
    return {
        "id": c.pk,
        "parentId": c.parent_id,
        "author": c.user.username if node.shown and c.user else None,
        "createdAt": c.created_at.isoformat(),
        "editedAt": c.edited_at.isoformat() if c.edited_at and node.shown else None,
        "placeholder": not node.shown,
        "body": c.body if node.shown else "",
        "bodyHtml": c.body_html if node.shown else "",
        "replies": [],
        "moreReplies": node.more,
    }


def _tree_json(nodes):
    """The nodes as nested dicts, built without recursion (a thread is MAX_DEPTH deep on
    a page, but nothing here relies on it)."""
    top = []
    stack = [(node, top) for node in reversed(nodes)]
    while stack:
        node, siblings = stack.pop()
        data = _one_json(node)
        siblings.append(data)
        stack.extend((reply, data["replies"]) for reply in reversed(node.replies))
    return top


def _json(data, status=200):
    response = JsonResponse(
        data, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/papers/{path:paper_id}/comments",
    response={200: list[CommentOut], 400: ErrorOut, 404: ErrorOut},
    summary="The discussion of a paper",
    description="A page of top-level comments in posting order (`limit` a page, at most "
    f"{services.ROOTS_PER_PAGE}), each with its replies nested under it, {services.MAX_DEPTH} levels "
    f"deep and {services.MAX_PAGE_COMMENTS} comments at most; `moreReplies` marks a comment whose "
    "other replies are had with `parentId`. The next page is announced in a "
    '`Link: <…>; rel="next"` header. Comments hidden by moderators are left out; a deleted one '
    "stays as a placeholder when it has replies.",
)
def comments(request, paper_id: str, query: Query[CommentsQuery]):
    paper = Paper.objects.visible().filter(arxiv_id=paper_id).first()
    if paper is None:
        return error_response("no such paper", 404)
    parent = None
    if query.parentId is not None:
        parent = Comment.objects.filter(pk=query.parentId, paper=paper).first()
        if parent is None:
            return error_response("no such comment on this paper", 404)
    # Public and the same for everyone: staff see hidden comments on the site, not here.
    thread = services.thread(paper, parent=parent, page=query.p + 1, per_page=query.limit)
    response = _json(_tree_json(thread.nodes))
    if thread.has_next:
        params = request.GET.copy()
        params["p"] = str(query.p + 1)
        response["Link"] = (
            f'<{request.build_absolute_uri(f"{request.path}?{params.urlencode()}")}>; rel="next"'
        )
    return response


@router.post(
    "/papers/{path:paper_id}/comments",
    response={
        201: CommentOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        429: ErrorOut,
    },
    auth=bearer,
    summary="Comment on a paper",
    description="Markdown, at most 10,000 characters. With `parentId`, a reply.",
)
def post_comment(request, paper_id: str, data: CommentIn):
    user = request.auth
    paper = Paper.objects.visible().filter(arxiv_id=paper_id).first()
    if paper is None:
        return error_response("no such paper", 404)
    parent = None
    if data.parentId is not None:
        parent = Comment.objects.filter(pk=data.parentId, paper=paper).first()
        if parent is None or not parent.visible_to(user):
            return error_response("no such comment on this paper", 404)
    # Refusals (suspended account, empty text) answer their message and status (api/main.py),
    # a suspended account before counting against the rate.
    services.check_participation(user)
    check(request, "comment")  # over the rate: 429 (api/main.py)
    comment = services.post_comment(user, paper, data.body, parent=parent)
    return _json(_one_json(services.Node(comment, 0, True)), status=201)
