"""The community's write endpoints in the JSON API (token auth: dailypapers/accounts/tokens.py).

    POST   /api/papers/{paper_id}/upvote    upvote a paper       → {"upvotes": n, "voted": true}
    DELETE /api/papers/{paper_id}/upvote    take the upvote back → {"upvotes": n, "voted": false}
    POST   /api/papers/submit               {"paper_id": "2501.01234", "comment": "…"}
                                            → 201 and the new entry in the shape of
                                              /api/daily_papers (like Hugging Face's)

Errors are `{"error": "…"}`: 400 bad input, 401 no valid token, 403 not allowed (a
suspended account), 404 no such paper, 409 already featured, 429 too many.
"""

from django.http import JsonResponse
from ninja import Field, Router, Schema

from dailypapers.accounts.rules import check_participation
from dailypapers.accounts.tokens import bearer
from dailypapers.api import serializers
from dailypapers.api.http import error_response
from dailypapers.api.serializers import DailyPaperOut, ErrorOut
from dailypapers.community import services
from dailypapers.core.ratelimits import check
from dailypapers.lib.arxiv_ids import is_arxiv_id

router = Router(tags=["community"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class VoteOut(Schema):
    upvotes: int = Field(..., description="the paper's upvotes over the days it was featured")
    voted: bool = Field(..., description="whether the token's user now upvotes the paper")


class SubmitIn(Schema):
    paper_id: str = Field(
        ..., max_length=300, description="an arXiv id (2501.01234) or arxiv.org link"
    )
    comment: str = Field(
        "", max_length=10_000, description="optional: starts the paper's discussion"
    )


def _vote(request, paper_id, on):
    check_participation(request.auth)  # a suspended account is refused before the rate counts
    check(request, "vote")  # over the rate: 429 (api/main.py)
    if not is_arxiv_id(paper_id):
        return error_response("not an arXiv id", 404)
    # A refusal (services.Refused) answers its message and status (api/main.py).
    paper = services.votable_paper(paper_id)
    voted, upvotes = services.set_vote(request.auth, paper, on)
    return {"upvotes": upvotes, "voted": voted}


# `path:` like GET /api/papers/{id}, so old-style ids (hep-th/9901001) work here too.
@router.post(
    "/papers/{path:paper_id}/upvote",
    response={200: VoteOut, **ERRORS},
    auth=bearer,
    summary="Upvote a paper",
    description="Idempotent: upvoting twice leaves one upvote. The paper must be in the daily feed.",
)
def upvote(request, paper_id: str):
    return _vote(request, paper_id, True)


@router.delete(
    "/papers/{path:paper_id}/upvote",
    response={200: VoteOut, **ERRORS},
    auth=bearer,
    summary="Take back an upvote",
    description="Idempotent: without an upvote, nothing changes.",
)
def remove_upvote(request, paper_id: str):
    return _vote(request, paper_id, False)


@router.post(
    "/papers/submit",
    response={201: DailyPaperOut, **ERRORS, 503: ErrorOut},
    by_alias=True,
    auth=bearer,
    summary="Submit a paper to today's feed",
    description=(
        'Like Hugging Face\'s: the body is `{"paper_id": …, "comment": …}`. A paper unknown '
        "here is fetched from arXiv. Refused (with the reason) when the paper is older than "
        "the submission window, already featured, or the daily limit is reached."
    ),
)
def submit(request, body: SubmitIn):
    check_participation(request.auth)  # a suspended account is refused before the rate counts
    check(request, "submit")
    entry = services.submit(request.auth, body.paper_id, body.comment)
    return JsonResponse(
        serializers.daily_entry(entry), status=201, json_dumps_params={"ensure_ascii": False}
    )
