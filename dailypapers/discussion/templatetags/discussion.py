from functools import lru_cache

from django import template
from django.http import Http404
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from dailypapers.accounts.rules import has_staff_powers, participation_error
from dailypapers.discussion import services
from dailypapers.discussion.models import MAX_BODY_LENGTH, Report

register = template.Library()


# A page shows up to 200 comments (services.MAX_PAGE_COMMENTS): these filters do per
# comment what {% url %} and |date did, at a fraction of their cost (the busiest page's
# rendering was a third URL reversing and date formatting).
@register.filter
def profile_url(username):
    return _profile_url(get_script_prefix(), username)


@lru_cache(maxsize=4096)
def _profile_url(prefix, username):
    return reverse("people:profile", args=[username])


@register.filter
def iso_time(moment):
    """`moment` in the site's time zone, ISO 8601 (as |date:'c')."""
    return timezone.localtime(moment).isoformat()


@register.filter
def posted_time(moment):
    """`moment` in the site's time zone as "Dec 3, 2026, 07:05" (as |date:"M j, Y, H:i")."""
    local = timezone.localtime(moment)
    return f"{MONTHS[local.month - 1]} {local.day}, {local.year}, {local:%H:%M}"


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def page_number(request):
    """The `page` query parameter of a discussion page (from 1); Http404 for anything
    that is not a page number."""
    raw = request.GET.get("page", "1") if request is not None else "1"
    if (
        not raw.isascii()
        or not raw.isdigit()
        or len(raw) > 6
        or not 1 <= int(raw) <= services.MAX_PAGE
    ):
        raise Http404("no such page of comments")
    return int(raw)


def thread_context(request, user, paper, thread):
    """What _comments.html needs around a Thread: the nodes in reading order and the
    forms this viewer may use. Http404 for a page past the last."""
    if thread.page > thread.pages:
        raise Http404("no such page of comments")
    reply_to = request.GET.get("reply", "") if request is not None else ""
    logged_in = user is not None and user.is_authenticated
    return {
        "paper": paper,
        "user": user,
        "thread": thread,
        "nodes": thread.flat(),
        "logged_in": logged_in,
        # Logged in but not allowed to take part (suspended): the reason instead of forms.
        "refusal": participation_error(user) if logged_in else None,
        "staff_powers": has_staff_powers(user),
        "reply_to": int(reply_to)
        if reply_to.isascii() and reply_to.isdigit() and len(reply_to) < 19
        else None,
        "max_length": MAX_BODY_LENGTH,
        "reasons": Report.Reason.choices,
    }


@register.inclusion_tag("discussion/_thread.html", takes_context=True)
def paper_thread(context, paper):
    """The paper page's discussion: one page of the thread (services.thread: a bounded
    number of bounded queries) and the forms this viewer may use."""
    request = context.get("request")
    user = context.get("user")
    thread = services.thread(paper, user, page=page_number(request))
    data = thread_context(request, user, paper, thread)
    # Comments people can see on this site (the local part of the feed's count).
    data["count"] = services.visible_count(paper)
    return data


@register.simple_tag
def visible_comments(paper):
    """How many of `paper`'s comments people can see here (the paper page's Details)."""
    return services.visible_count(paper)


@register.inclusion_tag("discussion/_recent.html", takes_context=True)
def recent_comments(context, profile_user):
    return {"comments": services.recent_comments(profile_user), "profile_user": profile_user}
