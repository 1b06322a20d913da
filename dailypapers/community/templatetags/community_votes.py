"""Vote buttons that show the viewer's own vote.

The feed pages keep their list of cards as HTML in a cache shared by every reader
(papers/views.py), so the cards cannot hold one person's vote or CSRF token. They are
rendered with a placeholder for the token and every button "not pressed"
(papers/_card.html); `vote_cards` fills both in for a logged-in viewer, with one query
for the page's votes. Logged-out readers get the cards as they are: their click leads
to the log-in page (community/views.py:upvote).
"""

import re

from django import template
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from dailypapers.community import services
from dailypapers.community.models import Upvote

register = template.Library()

CSRF_PLACEHOLDER = "<!--vote-csrf-->"
_BUTTON = re.compile(r'data-paper="(\d+)" aria-pressed="false"')


@register.simple_tag(takes_context=True)
def vote_cards(context, cards):
    """The cached card list `cards` as the viewer should see it."""
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not user.is_authenticated:
        return mark_safe(cards)  # our own template's output, escaped there
    token = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    html = str(cards).replace(CSRF_PLACEHOLDER, token)
    voted = services.voted_paper_ids(user, {int(pk) for pk in _BUTTON.findall(html)})
    if voted:
        html = _BUTTON.sub(
            lambda m: (
                f'data-paper="{m.group(1)}" aria-pressed="{"true" if int(m.group(1)) in voted else "false"}"'
            ),
            html,
        )
    return mark_safe(html + vote_script())


@register.simple_tag
def vote_script():
    """vote.js: votes without a page reload (the forms work without it)."""
    return format_html('<script src="{}" defer></script>', static("community/vote.js"))


@register.simple_tag
def has_voted(user, paper):
    return services.has_voted(user, paper)


@register.simple_tag
def recent_upvotes(user, limit=20):
    """`user`'s latest upvotes of visible papers, newest first."""
    return list(
        Upvote.objects.filter(user=user, paper__hidden=False)
        .select_related("paper")
        .only("created_at", "paper__arxiv_id", "paper__title")
        .order_by("-created_at")[:limit]
    )


@register.simple_tag
def submission_refusal(user, paper):
    """Why `user` could not submit `paper` now (community/services.py), or None: the
    paper page offers "Submit to today's feed" only when it would be accepted."""
    return services.submission_refusal(user, paper)
