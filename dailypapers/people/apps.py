from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """A person's pages: the public profile (/u/<name>) and their own account page
    (/account/: API tokens, digest choices, data export, deletion), with what exporting
    or deleting an account gathers from every app. Above the apps it gathers from;
    accounts (who someone is, what they may do) sits below them all."""

    name = "dailypapers.people"
    label = "people"
