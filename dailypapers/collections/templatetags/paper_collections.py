"""Template tags for this app's fragments on other apps' pages (the paper page, the
profile page): each fetches what its fragment shows in one query, so the pages' views
need not know about collections."""

from django import template

from dailypapers.collections import services

register = template.Library()


@register.simple_tag(takes_context=True)
def viewer_collections(context, paper):
    """The viewer's collections split by whether they hold `paper`:
    {"held": [...], "free": [...]} (both empty when logged out)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"held": [], "free": []}
    mine = services.collections_with_paper(user, paper)
    return {"held": [c for c in mine if c.has_paper], "free": [c for c in mine if not c.has_paper]}


@register.simple_tag(takes_context=True)
def profile_collections(context, profile_user):
    """`profile_user`'s collections as the viewer may see them, with `num_papers`."""
    user = context.get("user")
    if user is None:
        return []
    return services.profile_collections(user, profile_user)
