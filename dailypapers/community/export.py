"""This app's part of a person's data export (the profile page's JSON download)."""


def export_user_data(user):
    """A JSON-serialisable dict of what this app holds about `user`."""
    return {}
