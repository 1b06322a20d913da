"""Who may take part: the one check every write (vote, submit, comment, report,
collection change) goes through, in pages and in the API alike; and the one refusal
those writes raise."""

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


class Refused(Exception):
    """A write that is not allowed: `message` is for the person who tried it, `status`
    the HTTP status pages and the API answer with."""

    status = 400

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


def check_participation(user):
    """Raise Refused (401 logged out, 403 otherwise) unless `user` may take part."""
    error = participation_error(user)
    if error is not None:
        raise Refused(error, 401 if user is None or not user.is_authenticated else 403)
