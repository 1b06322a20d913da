"""This app's part of a person's data export (the profile page's JSON download)."""

from dailypapers.digests.subscriptions import account_subscriptions


def export_user_data(user):
    """`user`'s digest subscriptions (digests.subscriptions.account_subscriptions) with their choices."""
    return {
        "subscriptions": [
            {
                "email": s.email,
                "status": s.status,
                "frequency": s.frequency,
                "categories": list(s.categories),
                "keywords": list(s.keywords),
                "authors": list(s.authors),
                "max_papers": s.max_papers,
                "created_at": s.created_at.isoformat(),
                "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                "disabled_at": s.disabled_at.isoformat() if s.disabled_at else None,
            }
            for s in account_subscriptions(user)
        ]
    }
