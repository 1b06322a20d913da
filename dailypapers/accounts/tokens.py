"""Bearer-token authentication for the write API (django-ninja).

    @router.post("/papers/{paper_id}/upvote", auth=bearer)
    def upvote(request, paper_id): user = request.auth

A request without a valid token answers 401 (`{"error": …}` through the API's handler).
"""

from django.utils import timezone
from ninja.security import HttpBearer

from dailypapers.accounts.models import ApiToken, hash_token

# last_used_at is written at most this often per token (a write per request would make
# every API call a database write).
TOUCH_EVERY_SECONDS = 60


def user_for_token(token):
    """The active user owning `token`, or None."""
    if not token:
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > TOUCH_EVERY_SECONDS:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


bearer = BearerAuth()
