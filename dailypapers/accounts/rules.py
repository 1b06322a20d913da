"""Who may do what, in one place.

- participation_error / check_participation: the one check every write (vote, submit,
  comment, report, collection change) goes through, in pages and in the API alike.
- has_staff_powers / staff_power_error: the one check every staff power goes through:
  seeing hidden things, hiding papers and comments, suspending people, the admin site
  (accounts.admin_site.AdminSite.has_permission) and the staff exemptions of submitting.
  A suspended account has none of them, whatever its is_staff / is_superuser flags say.
- may_act_on: what one member of staff may do to another account (suspend, unsuspend,
  change it in the admin): never to oneself (so nobody lifts their own suspension), and
  to a superuser only as a superuser.

and the one refusal those writes raise (Refused)."""

from dailypapers.accounts.models import Profile


def is_suspended(user):
    if user is None or not user.is_authenticated:
        return False
    profile = Profile.objects.filter(user=user).only("suspended_at").first()
    return profile is not None and profile.suspended


def participation_error(user):
    """None when `user` may vote, submit, comment and report; else the reason to show."""
    if user is None or not user.is_authenticated:
        return "Log in to take part."
    if not user.is_active:
        return "This account is not active."
    if is_suspended(user):
        return "This account is suspended: it can read but not vote, submit or comment."
    return None


def staff_power_error(user):
    """None when `user` holds staff powers now; else the reason they do not."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return "Only staff can do this."
    if is_suspended(user):
        return "This account is suspended: it has no staff powers."
    return None


def has_staff_powers(user):
    """True for an active, unsuspended member of staff (superusers included)."""
    return staff_power_error(user) is None


def may_act_on(actor, target):
    """None when `actor` may suspend, unsuspend or change `target`'s account; else why not."""
    error = staff_power_error(actor)
    if error is not None:
        return error
    if actor.pk == target.pk:
        return "Nobody can suspend or unsuspend their own account."
    if target.is_superuser and not actor.is_superuser:
        return "Only a superuser can act on a superuser's account."
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


def check_staff_powers(user):
    """Raise Refused (403) unless `user` holds staff powers now."""
    error = staff_power_error(user)
    if error is not None:
        raise Refused(error, 403)
