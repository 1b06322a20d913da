from django import template

from dailypapers.accounts.rules import has_staff_powers, participation_error
from dailypapers.discussion import services
from dailypapers.discussion.models import MAX_BODY_LENGTH, Report

register = template.Library()


@register.inclusion_tag("discussion/_thread.html", takes_context=True)
def paper_thread(context, paper):
    """The paper page's discussion: the thread (one query, comments with their authors)
    and the forms this viewer may use."""
    request = context.get("request")
    user = context.get("user")
    nodes = list(services.flatten(services.thread(paper, user)))
    reply_to = request.GET.get("reply", "") if request is not None else ""
    logged_in = user is not None and user.is_authenticated
    return {
        "paper": paper,
        "user": user,
        "nodes": nodes,
        "count": sum(1 for n in nodes if n.shown),
        "logged_in": logged_in,
        # Logged in but not allowed to take part (suspended): the reason instead of forms.
        "refusal": participation_error(user) if logged_in else None,
        "staff_powers": has_staff_powers(user),
        "reply_to": int(reply_to) if reply_to.isdigit() else None,
        "max_length": MAX_BODY_LENGTH,
        "reasons": Report.Reason.choices,
        "next": request.get_full_path() if request is not None else paper.get_absolute_url(),
    }


@register.inclusion_tag("discussion/_recent.html", takes_context=True)
def recent_comments(context, profile_user):
    return {"comments": services.recent_comments(profile_user), "profile_user": profile_user}
