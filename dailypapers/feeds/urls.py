# Routes of the RSS/Atom feeds (/feeds/…).
app_name = "feeds"
urlpatterns = []
