"""For you in the JSON API: the token's reader's own ranking and signals (token auth:
dailypapers/accounts/tokens.py). Nothing here is public or shared: each answer is about
the token's user alone, and is never cached for anyone else (`Cache-Control: private`).

    GET    /api/recommendations?from=YYYY-MM-DD&to=YYYY-MM-DD&limit=N
           → [{"paper": {…as /api/papers/{id}…}, "score": 0.61, "reasons": ["…"]}]
    POST   /api/papers/{paper_id}/feedback   {"signal": "more" | "not_interested"}
    DELETE /api/papers/{paper_id}/feedback   take it back
    GET    /api/follows, POST /api/follows {"kind": …, "value": …}, DELETE /api/follows/{id}
    POST   /api/seeds {"papers": ["2401.01234", "https://arxiv.org/abs/…", …]} or
                      {"text": "…a BibTeX or RIS file…"}

Errors are `{"error": "…"}`: 400 bad input, 401 no valid token, 404 no such paper.
"""

import datetime as dt
import json

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from dailypapers.accounts.tokens import bearer
from dailypapers.api import queries, serializers
from dailypapers.api.http import ApiError
from dailypapers.api.serializers import ErrorOut, FlatPaperOut
from dailypapers.foryou import selectors, services
from dailypapers.foryou.models import Feedback, Follow
from dailypapers.lib import bibliography
from dailypapers.lib.arxiv_ids import InvalidArxivId, parse_arxiv_id
from dailypapers.papers.models import Paper

router = Router(tags=["for you"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
MAX_WINDOW_DAYS = 31
MAX_SEEDS = 500


class RecommendationsQuery(Schema):
    from_: dt.date = Field(
        None, alias="from", description="first day (default: the newest listing day)"
    )
    to: dt.date = Field(None, description="last day (default: `from`)")
    limit: int = Field(20, ge=1, le=100)


class RecommendationOut(Schema):
    paper: FlatPaperOut
    score: float = Field(..., description="higher is more for you; comparable within one answer")
    reasons: list[str] = Field(..., description="why the paper is here, strongest first")


class FeedbackIn(Schema):
    signal: str = Field(..., description="`more` (more like this) or `not_interested`")


class FeedbackOut(Schema):
    paper_id: str
    signal: str | None = Field(..., description="the reader's signal now (null: none)")


class FollowIn(Schema):
    kind: str = Field(..., description="category, author, keyword or query")
    value: str = Field(..., max_length=250)


class FollowOut(Schema):
    id: int
    kind: str
    value: str


class SeedsIn(Schema):
    papers: list[str] = Field([], description="arXiv ids or arxiv.org links", max_length=MAX_SEEDS)
    text: str = Field(
        "",
        max_length=bibliography.MAX_BYTES,
        description="or a whole BibTeX or RIS file (or a list), as text",
    )


class SeedsOut(Schema):
    added: int
    unknown: list[str] = Field(..., description="ids not in the catalogue (nothing was added)")
    invalid: list[str] = Field(..., description="entries that are not arXiv ids")
    problems: list[str] = Field([], description="entries of `text` that could not be read")


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/recommendations",
    response={200: list[RecommendationOut], **ERRORS},
    auth=bearer,
    by_alias=True,
    summary="Papers for the token's reader",
    description=(
        "Catalogue papers first announced (or, when the listing day is unknown, published) "
        "from `from` to `to`, ranked for the reader from their own signals, best first, with "
        f"the reasons. Leaves out papers the reader upvoted, collected or gave feedback on. "
        f"A window is at most {MAX_WINDOW_DAYS} days."
    ),
)
def recommendations(request, query: Query[RecommendationsQuery]):
    start = query.from_ or selectors.latest_day()
    if start is None:
        return _private(HttpResponse("[]", content_type="application/json"))
    end = query.to or start
    if end < start:
        raise ApiError("`to` is before `from`", 400)
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise ApiError(f"a window is at most {MAX_WINDOW_DAYS} days", 400)
    picks = selectors.recommend(request.auth, start, end, query.limit)
    papers = [pick.paper for pick in picks]
    full = Paper.objects.in_bulk([p.pk for p in papers])
    features = queries.features_of(list(full.values()))
    data = [
        {
            "paper": serializers.flat_paper(full[pick.paper.pk], features[pick.paper.pk]),
            "score": round(pick.score, 6),
            "reasons": pick.reasons,
        }
        for pick in picks
    ]
    body = json.dumps(data, ensure_ascii=False)
    return _private(HttpResponse(body, content_type="application/json"))


# `path:` like GET /api/papers/{id}, so old-style ids (hep-th/9901001) work here too.
@router.post(
    "/papers/{path:paper_id}/feedback",
    response={200: FeedbackOut, **ERRORS},
    auth=bearer,
    summary="More like this / not interested",
    description="One signal per paper: a new one replaces the old. The ranking follows at once.",
)
def give_feedback(request, paper_id: str, body: FeedbackIn):
    paper = services.paper_for_feedback(_arxiv_id(paper_id))
    services.give_feedback(request.auth, paper, body.signal)
    return {"paper_id": paper.arxiv_id, "signal": body.signal}


@router.delete(
    "/papers/{path:paper_id}/feedback",
    response={200: FeedbackOut, **ERRORS},
    auth=bearer,
    summary="Take back feedback on a paper",
    description="Idempotent: without feedback, nothing changes.",
)
def take_back_feedback(request, paper_id: str):
    paper = services.paper_for_feedback(_arxiv_id(paper_id))
    services.take_back_feedback(request.auth, paper)
    return {"paper_id": paper.arxiv_id, "signal": None}


@router.get("/follows", response={200: list[FollowOut], 401: ErrorOut}, auth=bearer)
def follows(request):
    return list(Follow.objects.filter(user=request.auth).values("id", "kind", "value"))


@router.post(
    "/follows",
    response={201: FollowOut, **ERRORS},
    auth=bearer,
    summary="Follow a category, an author, a keyword or a search",
)
def follow(request, body: FollowIn):
    made = services.follow(request.auth, body.kind, body.value)
    return Status(201, {"id": made.pk, "kind": made.kind, "value": made.value})


@router.delete("/follows/{follow_id}", response={204: None, **ERRORS}, auth=bearer)
def unfollow(request, follow_id: int):
    if not services.unfollow(request.auth, follow_id):
        raise ApiError("no such follow", 404)
    return Status(204, None)


@router.post(
    "/seeds",
    response={200: SeedsOut, **ERRORS},
    auth=bearer,
    summary="Start from papers: these are mine, or of interest",
    description="Each catalogue paper given becomes a “more like this”; the others are named.",
)
def seeds(request, body: SeedsIn):
    if body.text:
        try:
            result = services.import_seeds(request.auth, body.text)
        except bibliography.BibliographyError as exc:
            raise ApiError(str(exc), 400) from None
        return {
            "added": result.added,
            "unknown": [str(what) for _, what in result.not_found],
            "invalid": [],
            "problems": [str(p) for p in result.problems],
        }
    ids, invalid = [], []
    for text in body.papers:
        try:
            ids.append(parse_arxiv_id(text)[0])
        except InvalidArxivId:
            invalid.append(text[:100])
    papers = list(Paper.objects.visible().filter(arxiv_id__in=ids))
    known = {p.arxiv_id for p in papers}
    added = services.seed(request.auth, papers, Feedback.Source.IMPORT)
    return {
        "added": added,
        "unknown": [i for i in ids if i not in known],
        "invalid": invalid,
        "problems": [],
    }


def _arxiv_id(text):
    try:
        return parse_arxiv_id(text)[0]
    except InvalidArxivId:
        raise ApiError("not an arXiv id", 404) from None
