"""Link extraction from arXiv abstracts and comments (dailypapers/lib/links.py)."""

import pytest

from dailypapers.lib.links import extract_links, github_repo, project_page


@pytest.mark.parametrize(
    "text",
    [
        "Code is available at https://github.com/openai/whisper.",
        "Code: https://github.com/openai/whisper.git",
        "see (https://github.com/openai/whisper)",
        "https://github.com/openai/whisper/tree/main/whisper",
        "https://github.com/openai/whisper/blob/main/README.md#usage",
        "code at github.com/openai/whisper, data on request",
        "\\url{https://www.github.com/openai/whisper}",
        "http://github.com/openai/whisper;",
    ],
)
def test_it_cleans_github_repo_urls(text):
    assert github_repo(text) == "https://github.com/openai/whisper"


def test_it_keeps_dots_and_dashes_inside_repo_names():
    assert github_repo("at https://github.com/a-b/c.d_e-f.") == "https://github.com/a-b/c.d_e-f"


def test_it_ignores_github_pages_that_are_not_repositories():
    assert github_repo("https://github.com/topics/llm and https://github.com/x") is None
    assert github_repo("no links here") is None
    assert github_repo(None) is None


def test_it_prefers_github_io_pages_for_the_project_page():
    text = "See https://example.org/blog and our page https://nerf.github.io/project/."
    assert project_page(text) == "https://nerf.github.io/project/"


def test_it_adds_a_scheme_to_bare_github_io_pages():
    assert project_page("Project page: nerf-w.github.io.") == "https://nerf-w.github.io"


def test_it_takes_other_links_as_project_page_but_not_arxiv_doi_or_github():
    text = (
        "Extends arXiv:2101.00001 (https://arxiv.org/abs/2101.00001), "
        "https://doi.org/10.1000/x, code at https://github.com/a/b; "
        "demo at https://example.com/demo_(v2)."
    )
    assert project_page(text) == "https://example.com/demo_(v2)"


def test_it_trims_unbalanced_brackets():
    assert project_page("(see https://example.com/page)") == "https://example.com/page"


def test_extract_links_searches_abstract_then_comment():
    abstract = "We release code at https://github.com/owner/repo."
    comment = "15 pages; project page https://owner.github.io/repo"
    assert extract_links(abstract, comment) == (
        "https://github.com/owner/repo",
        "https://owner.github.io/repo",
    )
    assert extract_links("nothing", None, "") == (None, None)


def test_it_does_not_take_file_downloads_for_project_pages():
    comment = (
        "postscript at http://www.example.edu/~a/paper.ps.gz; data https://example.org/data.zip"
    )
    assert project_page(comment) is None
