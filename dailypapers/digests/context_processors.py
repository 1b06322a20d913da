def digests(request):
    """`my_digest`: the signed-in member's active digest subscription (of a verified
    address), for the footer box, which then says what they get instead of offering to
    subscribe again. Asked only by the pages that show the box, once per request; signed
    out it is None without a query (those pages are cached for everyone)."""

    def my_digest():
        if not hasattr(request, "_my_digest"):
            from dailypapers.digests.models import Subscription
            from dailypapers.digests.subscriptions import subscriptions_of

            user = getattr(request, "user", None)
            active = []
            if user is not None and user.is_authenticated:
                active = [s for s in subscriptions_of(user) if s.status == Subscription.ACTIVE]
            request._my_digest = active[0] if active else None
        return request._my_digest

    return {"my_digest": my_digest}
