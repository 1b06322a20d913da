"""Starting For you from one's papers: a BibTeX or RIS file or a pasted list (quirky
entries reported, the rest kept), or an author name whose papers one confirms."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dailypapers.foryou.models import Feedback, Follow
from tests.factories import make_paper

pytestmark = pytest.mark.django_db

BIBTEX = r"""
@article{known2024,
  title = {A Known Paper},
  author = {Hopper, Grace and Lovelace, Ada},
  eprint = {2401.00001}, archivePrefix = {arXiv},
}
@inproceedings{bydoi,
  title = {Found by its {DOI}},
  doi = {10.1000/XYZ123},
}
@misc{bytitle, title = {Found {B}y {T}itle}, year = 2020}
@misc{elsewhere, title = {Not in this catalogue}, eprint = {2401.09999}}
@article{broken, title = {Unbalanced {braces}
"""

RIS = "TY  - JOUR\r\nTI  - A Known Paper\r\nUR  - https://arxiv.org/abs/2401.00001v3\r\nER  - \r\n"


@pytest.fixture
def catalogue():
    return [
        make_paper("2401.00001", title="A Known Paper"),
        make_paper("2401.00002", title="Found by its DOI", doi="10.1000/xyz123"),
        make_paper("2401.00003", title="Found By Title"),
        make_paper("2401.00004", title="Unrelated"),
    ]


def test_a_bibtex_file_seeds_what_is_here_and_reports_the_rest(alice_client, alice, catalogue):
    upload = SimpleUploadedFile("library.bib", BIBTEX.encode(), content_type="text/x-bibtex")
    response = alice_client.post(reverse("foryou:seeds"), {"file": upload})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.format == "bibtex" and result.added == 3
    seeded = set(
        Feedback.objects.filter(user=alice, source="import").values_list(
            "paper__arxiv_id", flat=True
        )
    )
    assert seeded == {"2401.00001", "2401.00002", "2401.00003"}
    assert [what for _, what in result.not_found] == ["2401.09999"]
    assert result.problems and b"skipped" in response.content
    # Importing again adds nothing twice.
    upload = SimpleUploadedFile("library.bib", BIBTEX.encode())
    assert alice_client.post(reverse("foryou:seeds"), {"file": upload}).context["result"].added == 0


def test_a_ris_file_and_a_pasted_list(alice_client, alice, catalogue):
    upload = SimpleUploadedFile("export.ris", RIS.encode("utf-8-sig"))
    result = alice_client.post(reverse("foryou:seeds"), {"file": upload}).context["result"]
    assert result.format == "ris" and result.added == 1
    text = "https://arxiv.org/abs/2401.00004\nnot an id\n2401.00003v2\n"
    response = alice_client.post(reverse("foryou:seeds"), {"text": text})
    result = response.context["result"]
    assert result.format == "list" and result.added == 2 and len(result.problems) == 1
    assert Feedback.objects.filter(user=alice).count() == 3


def test_what_is_not_a_bibliography_is_refused_with_a_reason(alice_client, alice, catalogue):
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    response = alice_client.post(reverse("foryou:seeds"), {"file": upload})
    assert response.status_code == 400 and response.context["error"]
    response = alice_client.post(reverse("foryou:seeds"), {})
    assert response.status_code == 400 and "Choose a file" in response.context["error"]
    assert not Feedback.objects.exists()


def test_an_author_confirms_their_papers_and_follows_their_name(alice_client, alice):
    mine = [
        make_paper(authors=["Grace Hopper", "Someone"]),
        make_paper(authors=["Other Person", "Hopper, Grace"]),
    ]
    make_paper(authors=["Grace Hoppers"])  # another name
    make_paper(authors=["Alan Hopper"])
    page = alice_client.get(reverse("foryou:seeds"), {"author": "grace  HOPPER"})
    assert {p.pk for p in page.context["authored"]} == {p.pk for p in mine}
    response = alice_client.post(
        reverse("foryou:seed-author"),
        {"paper": [mine[0].pk], "author": "Grace Hopper", "follow": "1"},
    )
    assert response.status_code == 302
    assert list(
        Feedback.objects.filter(user=alice, source="author").values_list("paper", flat=True)
    ) == [mine[0].pk]
    assert Follow.objects.get(user=alice).value == "Grace Hopper"
    empty = alice_client.get(reverse("foryou:seeds"), {"author": "Nobody Atall"})
    assert b"No papers here" in empty.content


def test_the_start_page_needs_an_account(client):
    assert client.get(reverse("foryou:seeds")).status_code == 302
