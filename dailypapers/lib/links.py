"""Code and project-page links in arXiv abstracts and comments.

Authors write them every way: `https://github.com/owner/repo.`, `github.com/owner/repo`,
`https://github.com/owner/repo/tree/main/src`, `(https://owner.github.io/project)`,
`\\url{https://…}`. We keep one canonical repository URL
(`https://github.com/owner/repo`) and one project page (any other web link, github.io
pages first). Used by the arXiv API and OAI-PMH parsers (dailypapers/ingest).
"""

import re

# A URL runs to the next space or a character that cannot end one in running text.
_URL = re.compile(r"""https?://[^\s<>"'{}|\\^`]+""", re.IGNORECASE)
_GITHUB = re.compile(
    r"(?:https?://)?(?:www\.)?github\.com/(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))"
    r"/(?P<repo>[A-Za-z0-9._-]{1,100})",
    re.IGNORECASE,
)
# github.io pages are often written without a scheme.
_PAGES = re.compile(
    r"(?<![/\w.@-])(?P<url>(?:https?://)?[A-Za-z0-9-]+\.github\.io(?:/[^\s<>\"'{}|\\^`]*)?)",
    re.IGNORECASE,
)

# github.com/<first segment>/… that is not a user or organisation.
_NOT_OWNERS = {
    "about", "apps", "collections", "contact", "enterprise", "features", "marketplace",
    "orgs", "pricing", "settings", "site", "sponsors", "topics", "trending", "users", "login",
}  # fmt: skip
# Links that are never a paper's project page.
_NOT_PAGES = ("github.com", "arxiv.org", "doi.org", "creativecommons.org", "gist.github.com")

# Links to files (a PostScript preprint, a data archive) are downloads, not pages.
_FILES = (".pdf", ".ps", ".gz", ".zip", ".tar", ".tgz", ".bz2", ".xz", ".csv")

_TRAILING = ".,;:!?'\"*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _trim(url):
    """Drop sentence punctuation and unbalanced closing brackets from a URL's end."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]
        else:
            break
    return url


def github_repo(text):
    """The first GitHub repository named in text, as https://github.com/owner/repo."""
    if not text or "github.com" not in text.lower():  # most abstracts: skip the regex scan
        return None
    for match in _GITHUB.finditer(text):
        owner, repo = match.group("owner"), match.group("repo")
        if owner.lower() in _NOT_OWNERS:
            continue
        repo = repo.rstrip(".")  # "…/repo." at the end of a sentence
        if repo.lower().endswith(".git"):
            repo = repo[:-4]
        repo = repo.rstrip(".")
        if repo:
            return f"https://github.com/{owner}/{repo}"
    return None


def _host(url):
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0].split(":", 1)[0].lower()


def project_page(text):
    """The first project page in text: a github.io page if any, else another web link."""
    text = text or ""
    lowered = text.lower()
    if "://" not in text and ".github.io" not in lowered:  # most abstracts: no link at all
        return None
    pages = (
        [_trim(m.group("url")) for m in _PAGES.finditer(text)] if ".github.io" in lowered else []
    )
    if pages:
        url = pages[0]
        return url if url.lower().startswith(("http://", "https://")) else "https://" + url
    for match in _URL.finditer(text):
        url = _trim(match.group(0))
        host = _host(url)
        if not host or "." not in host:
            continue
        if any(host == h or host.endswith("." + h) for h in _NOT_PAGES):
            continue
        if url.lower().endswith(_FILES):
            continue
        return url
    return None


def extract_links(*texts):
    """(github_repo, project_page) from several texts (abstract, comment); None when absent.

    Results are capped at 500 characters, the size of Paper.github_repo/project_page.
    """
    repo = page = None
    for text in texts:
        if text:
            repo = repo or github_repo(text)
            page = page or project_page(text)
    return (repo[:500] if repo else None), (page[:500] if page else None)
