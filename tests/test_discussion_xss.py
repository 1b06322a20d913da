"""Comments render inert: a corpus of XSS payloads is posted through the comment form
and the paper page that shows it is parsed (Python's html.parser) to check what a
browser would build from it."""

import re

import pytest
from django.urls import reverse

from dailypapers.discussion import services
from dailypapers.discussion.models import Comment
from tests.discussion_helpers import parse

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    "<style>body{display:none}</style>",
    '<p style="position:fixed;top:0;left:0;width:100%;height:100%">cover</p>',
    '<div onmouseover="alert(1)">hover</div>',
    "<body onload=alert(1)>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</div></article></section><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "<img src=x onerror=alert(1)//",
    '<a href="https://x.example" <script>alert(1)</script>',
    "<<script>alert(1);//<</script>",
    "<b><i>unclosed <u>tags",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<link rel=stylesheet href=javascript:alert(1)>",
    '[a](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    '[x](https://ok.example" onmouseover="alert(1))',
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]

DANGEROUS_ELEMENTS = {"script", "iframe", "object", "embed", "svg", "math", "style", "form", "meta", "base",
                      "template", "noscript", "img", "frame", "frameset", "applet"}  # fmt: skip
SAFE_BODY_TAGS = services.ALLOWED_TAGS


def _scheme(url):
    # What a browser would take for the scheme: control characters and spaces dropped.
    cleaned = re.sub(r"[\x00-\x20]", "", url).lower()
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", cleaned)
    return match.group(1) if match else ""


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_renders_the_payload_inert(client, alice, bob, paper, payload):
    baseline = parse(client.get(paper.get_absolute_url()).content.decode())
    baseline_tags = {e.tag for e in baseline.iter()}

    client.force_login(alice)
    response = client.post(reverse("discussion:post", args=[paper.arxiv_id]), {"body": payload})
    assert response.status_code == 302
    evil = Comment.objects.get(user=alice)
    after = services.post_comment(bob, paper, "SENTINEL after the payload")
    client.logout()

    page = parse(client.get(paper.get_absolute_url()).content.decode())

    # Nothing on the page runs script or loads from elsewhere because of the comment.
    for element in page.iter():
        assert not any(name.lower().startswith("on") for name in element.attrs), element.attrs
        for name in ("href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"):
            value = element.attrs.get(name)
            if value:
                assert _scheme(value) in ("", "http", "https", "mailto"), (name, value)
        if element.tag in DANGEROUS_ELEMENTS:
            assert element.tag in baseline_tags and not _inside_comment(element), element.tag

    # The comment's body holds only the allowed elements, without style.
    article = _article(page, evil.pk)
    body = next(e for e in article.iter() if e.has_class("comment-body"))
    for element in body.iter():
        if element is not body:
            assert element.tag in SAFE_BODY_TAGS, element.tag
            assert "style" not in element.attrs
            if element.tag == "a":
                assert element.attrs.get("rel") == "nofollow noopener ugc"

    # The page after the comment is intact: the next comment is a sibling in the same
    # thread, and the page's footer is still at the top level.
    sentinel = _article(page, after.pk)
    assert sentinel.parent is article.parent and sentinel.parent.has_class("thread")
    assert "SENTINEL after the payload" in sentinel.all_text()
    assert page.find_all(lambda e: e.has_class("site-footer") and e.parent.tag == "body")


def _article(page, pk):
    found = page.find_all(lambda e: e.tag == "article" and e.attrs.get("id") == f"c{pk}")
    assert len(found) == 1
    return found[0]


def _inside_comment(element):
    node = element.parent
    while node is not None:
        if node.has_class("comment"):
            return True
        node = node.parent
    return False


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 40


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**strong** and *em*", "<p><strong>strong</strong> and <em>em</em></p>\n"),
        (
            "[site](https://example.org)",
            '<p><a href="https://example.org" rel="nofollow noopener ugc">site</a></p>\n',
        ),
        (
            "[mail](mailto:a@example.org)",
            '<p><a href="mailto:a@example.org" rel="nofollow noopener ugc">mail</a></p>\n',
        ),
        ("`x < y`", "<p><code>x &lt; y</code></p>\n"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'),
        ("# not a heading", "<p># not a heading</p>\n"),
        ("<b>raw html</b>", "<p>&lt;b&gt;raw html&lt;/b&gt;</p>\n"),
    ],
)
def test_render_markdown_keeps_safe_markdown(text, html):
    assert services.render_markdown(text) == html


def test_render_markdown_drops_images_and_unsafe_links():
    assert "<img" not in services.render_markdown("![a](https://example.org/x.png)")
    assert "href" not in services.render_markdown("[a](javascript:alert(1))")
    assert "href" not in services.render_markdown("[a](data:text/html,x)")
