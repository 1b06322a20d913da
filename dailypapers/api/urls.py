# Routes of the JSON API (/api/…) and the Markdown view of a paper (/papers/<id>.md).
urlpatterns = []
