from django import template

register = template.Library()


@register.filter
def http_url(value):
    """The URL if it is http(s), else empty: links from sources never run script."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
        return value
    return ""
