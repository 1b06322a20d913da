"""Search's parts of other apps' pages."""

from django import template

from dailypapers.search import service

register = template.Library()

SIMILAR_PAPERS = 5


@register.inclusion_tag("search/_similar.html")
def similar_papers(paper, k=SIMILAR_PAPERS):
    """The paper page's "Similar papers": the `k` nearest by their embeddings."""
    return {"similar": service.similar(paper, k)}
