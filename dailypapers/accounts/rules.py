"""Who may take part: the one check every write (vote, submit, comment, report,
collection change) goes through, in pages and in the API alike."""

from dailypapers.accounts.models import Profile


def participation_error(user):
    """None when `user` may vote, submit, comment and report; else the reason to show."""
    if user is None or not user.is_authenticated:
        return "Log in to take part."
    if not user.is_active:
        return "This account is not active."
    profile = Profile.objects.filter(user=user).only("suspended_at").first()
    if profile is not None and profile.suspended:
        return "This account is suspended: it can read but not vote, submit or comment."
    return None
