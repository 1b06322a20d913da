"""This app's part of a person's data export (the profile page's JSON download)."""

from dailypapers.digests.services import subscriptions_of


def export_user_data(user):
    """`user`'s digest subscriptions (digests.services.subscriptions_of) with their choices."""
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
            for s in subscriptions_of(user)
        ]
    }
