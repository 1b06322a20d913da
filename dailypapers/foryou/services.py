"""What a reader does to their own ranking: feedback on a paper, follows, seeds, the
controls, reset. Each change refits the reader's model in the same request (fitting
takes milliseconds: foryou/ranking.py), so the next page already reflects it.

Refusals are accounts.rules.Refused (a page or the API answers their message).
"""

import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from dailypapers.accounts.rules import Refused
from dailypapers.foryou import ranking, selectors
from dailypapers.foryou.models import Feedback, Follow, Reader, Seen
from dailypapers.lib import bibliography
from dailypapers.lib.arxiv_ids import is_arxiv_category
from dailypapers.lib.searchquery import MAX_QUERY_CHARS
from dailypapers.papers.models import Paper

MAX_FOLLOWS = 200
MAX_SEED_REFERENCES = 5000
MAX_AUTHOR_PAPERS = 100
MAX_VALUE = {"author": 200, "keyword": 100, "query": MAX_QUERY_CHARS, "category": 32}
CONTROLS = ("count_upvotes", "count_collections", "paused", "hide_seen", "digest_mix")


def reader_of(user):
    reader, _ = Reader.objects.get_or_create(user=user)
    return reader


def paper_for_feedback(arxiv_id):
    """The visible paper `arxiv_id`; Refused (404) otherwise."""
    paper = Paper.objects.visible().filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Refused("No such paper.", 404)
    return paper


def give_feedback(user, paper, signal, source=Feedback.Source.BUTTON):
    """Record `user`'s `signal` on `paper` (replacing an earlier one) and refit."""
    if signal not in Feedback.Signal.values:
        raise Refused(f"Unknown signal {signal!r}: say “more” or “not_interested”.", 400)
    with transaction.atomic():
        Feedback.objects.update_or_create(
            user=user, paper=paper, defaults={"signal": signal, "source": source}
        )
    return refit(user)


def take_back_feedback(user, paper):
    """Forget `user`'s feedback on `paper`; True when there was some."""
    deleted, _ = Feedback.objects.filter(user=user, paper=paper).delete()
    if deleted:
        refit(user)
    return bool(deleted)


def seed(user, papers, source):
    """`papers` are the reader's own or of interest (a cold start): each becomes a "more
    like this" unless the reader already said something of it. The number added."""
    existing = set(
        Feedback.objects.filter(user=user, paper__in=papers).values_list("paper_id", flat=True)
    )
    new = [
        Feedback(user=user, paper=p, signal=Feedback.Signal.MORE, source=source)
        for p in papers
        if p.pk not in existing
    ]
    Feedback.objects.bulk_create(new, ignore_conflicts=True)
    refit(user)
    return len(new)


@dataclass
class SeedImport:
    """What importing a file or list of one's papers did."""

    format: str
    added: int = 0
    matched: list = field(default_factory=list)  # Papers found in the catalogue
    not_found: list = field(default_factory=list)  # (where, what) of references not here
    problems: list = field(default_factory=list)  # bibliography.Problem: entries skipped


def import_seeds(user, data, filename=""):
    """Seed from a BibTeX or RIS file or a list of arXiv ids or links ("these are my
    papers / my library"): each reference found in the catalogue (by arXiv id, else
    DOI, else exact title) becomes a "more like this". Entries that cannot be read are
    reported and skipped; BibliographyError when the input is not a bibliography."""
    reading = bibliography.read_references(data, filename)
    result = SeedImport(reading.format, problems=list(reading.problems))
    references = reading.references[:MAX_SEED_REFERENCES]
    by_id = Paper.objects.visible().in_bulk(
        [r.arxiv_id for r in references if r.arxiv_id], field_name="arxiv_id"
    )
    dois = {r.doi.lower() for r in references if r.doi and not r.arxiv_id}
    by_doi = {}
    if dois:
        for paper in Paper.objects.visible().filter(doi__in=list(dois) + [d.upper() for d in dois]):
            by_doi[paper.doi.lower()] = paper
    # Titles, compared without case, in one pass over the catalogue (not a scan each).
    titles = {r.title.strip().lower() for r in references if r.title and not r.arxiv_id}
    by_title = {}
    if titles:
        rows = Paper.objects.visible().annotate(key=Lower("title")).filter(key__in=titles)
        for paper in rows.order_by("-id"):
            by_title[paper.key] = paper
    found = {}
    for ref in references:
        paper = by_id.get(ref.arxiv_id) if ref.arxiv_id else None
        if paper is None and ref.doi:
            paper = by_doi.get(ref.doi.lower())
        if paper is None and ref.title and not ref.arxiv_id:
            paper = by_title.get(ref.title.strip().lower())
        if paper is None:
            result.not_found.append((ref.where, ref.arxiv_id or ref.doi or ref.title))
        else:
            found.setdefault(paper.pk, paper)
    result.matched = list(found.values())
    result.added = seed(user, result.matched, Feedback.Source.IMPORT) if found else 0
    return result


def papers_by_author(name, limit=MAX_AUTHOR_PAPERS):
    """Catalogue papers with `name` among their authors (as arXiv writes it, case,
    accents and "Last, First" aside), newest first."""
    key = ranking.author_key(name)
    if not key:
        return []
    # The database narrows by the longest plain word of the name; the exact comparison
    # of whole names is ours (JSON lists are text of different shapes per database).
    words = [w for w in key.split() if w.isascii() and len(w) > 1] or key.split()
    query = Paper.objects.visible().filter(authors__icontains=max(words, key=len))
    found = []
    for paper in query.order_by("-published", "-id").only("id", "arxiv_id", "title", "authors")[
        : limit * 20
    ]:
        if any(ranking.author_key(a) == key for a in paper.authors or ()):
            found.append(paper)
            if len(found) >= limit:
                break
    return found


def follow_key(kind, value):
    """What makes two follows of one kind the same: case, accents and spacing aside;
    "Last, First" is "First Last"."""
    if kind == Follow.Kind.AUTHOR:
        return ranking.author_key(value)
    text = unicodedata.normalize("NFKC", value)
    return (
        " ".join(text.split()) if kind == Follow.Kind.CATEGORY else " ".join(text.lower().split())
    )


def follow(user, kind, value):
    """`user` follows `value` of `kind`; the Follow (an existing one when already)."""
    if kind not in Follow.Kind.values:
        raise Refused(f"Unknown kind {kind!r}: category, author, keyword or query.", 400)
    value = " ".join(str(value).split())
    if not value:
        raise Refused(f"Say which {Follow.Kind(kind).label} to follow.", 400)
    if len(value) > MAX_VALUE[kind]:
        raise Refused(f"At most {MAX_VALUE[kind]} characters, please.", 400)
    if kind == Follow.Kind.CATEGORY and not is_arxiv_category(value):
        raise Refused(f"Not an arXiv category: {value!r} (e.g. cs.CL).", 400)
    key = follow_key(kind, value)
    if not key:
        raise Refused(f"Say which {Follow.Kind(kind).label} to follow.", 400)
    existing = Follow.objects.filter(user=user, kind=kind, key=key).first()
    if existing is not None:
        return existing
    if Follow.objects.filter(user=user).count() >= MAX_FOLLOWS:
        raise Refused(f"You follow {MAX_FOLLOWS} things already: remove some first.", 400)
    try:
        with transaction.atomic():
            made = Follow.objects.create(user=user, kind=kind, value=value, key=key)
    except IntegrityError:  # the same follow, made at the same moment
        return Follow.objects.get(user=user, kind=kind, key=key)
    refit(user)
    return made


def unfollow(user, follow_id):
    deleted, _ = Follow.objects.filter(user=user, pk=follow_id).delete()
    if deleted:
        refit(user)
    return bool(deleted)


def set_controls(user, **choices):
    unknown = set(choices) - set(CONTROLS)
    if unknown:
        raise Refused(f"Unknown setting: {', '.join(sorted(unknown))}.", 400)
    mix = choices.get("digest_mix")
    if mix is not None and not (isinstance(mix, int) and 0 <= mix <= 100):
        raise Refused("The digest's mix is a share from 0 to 100.", 400)
    reader = reader_of(user)
    for name, value in choices.items():
        setattr(reader, name, value)
    reader.save(update_fields=list(choices))
    if {"count_upvotes", "count_collections"} & set(choices):
        refit(user)
    return reader


def reset(user):
    """Forget what For you learnt: feedback, follows, what it showed, the model. Upvotes
    and collections stay (they are the community's and the reader's own lists)."""
    with transaction.atomic():
        Feedback.objects.filter(user=user).delete()
        Follow.objects.filter(user=user).delete()
        Seen.objects.filter(user=user).delete()
        Reader.objects.filter(user=user).update(
            model=b"", model_signals=0, model_stamp="", model_updated_at=None
        )
    return refit(user)


FEEDBACK_SALT = "dailypapers.foryou.feedback"
FEEDBACK_LINK_DAYS = 60
SIGNAL_CODES = {Feedback.Signal.MORE: "m", Feedback.Signal.NOT_INTERESTED: "n"}


def feedback_token(user_id, paper_id, signal):
    """A signed token for one reader's one signal on one paper: the digest's links, which
    work without logging in (django.core.signing's TimestampSigner, keyed by SECRET_KEY;
    a digest signs a few of them per paper, so the payload is three numbers, not JSON)."""
    code = SIGNAL_CODES[signal]
    return signing.TimestampSigner(salt=FEEDBACK_SALT).sign(f"{user_id}.{paper_id}.{code}")


def feedback_from_token(token):
    """(user, paper, signal) of a valid feedback token; Refused (400) otherwise."""
    refused = Refused("This link is not valid any more: use the buttons on the site.", 400)
    try:
        value = signing.TimestampSigner(salt=FEEDBACK_SALT).unsign(
            token, max_age=FEEDBACK_LINK_DAYS * 86400
        )
        user_id, paper_id, code = value.split(".")
        signal = {v: k for k, v in SIGNAL_CODES.items()}[code]
        user_id, paper_id = int(user_id), int(paper_id)
    except (signing.BadSignature, ValueError, KeyError):
        raise refused from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    paper = Paper.objects.visible().filter(pk=paper_id).first()
    if user is None or paper is None:
        raise refused
    return user, paper, signal


def new_feed_token(user):
    """A new secret for `user`'s private feed, replacing the old; shown once."""
    reader = reader_of(user)
    token = reader.new_feed_token()
    reader.save(update_fields=["feed_token_hash", "feed_token_prefix"])
    return token


def revoke_feed_token(user):
    Reader.objects.filter(user=user).update(feed_token_hash="", feed_token_prefix="")


def feed_reader(token):
    """The active user whose private feed `token` opens, or None."""
    reader = (
        Reader.objects.filter(feed_token_hash=Reader.hash_token(token), user__is_active=True)
        .select_related("user")
        .first()
    )
    return None if reader is None else reader.user


def mark_seen(user, papers):
    Seen.objects.bulk_create([Seen(user=user, paper=p) for p in papers], ignore_conflicts=True)


def refit(user):
    """Fit `user`'s model from their signals now and store it; the Reader."""
    reader = reader_of(user)
    selectors.fit(user, reader)
    return reader
