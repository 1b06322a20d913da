"""For you's template filters. A page shows dozens of picks: these do per paper what
{% url %} did, at a fraction of its cost (cached per script prefix and arXiv id)."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@register.filter
def paper_path(arxiv_id):
    return _path(get_script_prefix(), "papers:paper", arxiv_id)


@register.filter
def feedback_path(arxiv_id):
    return _path(get_script_prefix(), "foryou:feedback", arxiv_id)


@lru_cache(maxsize=8192)
def _path(prefix, name, arxiv_id):
    return reverse(name, args=[arxiv_id])
