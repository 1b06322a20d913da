"""The API over real Hugging Face responses from ../shared (skipped without them): what
we serve for a day must read like Hugging Face's own file for that day."""

import json

import pytest

from dailypapers.ingest.importing import import_hf_daily
from dailypapers.lib.text import clean_abstract, collapse

pytestmark = [pytest.mark.django_db, pytest.mark.shared]

DAY = "2026-08-21"

# Hugging Face fields we deliberately do not send:
# personal data (the importer drops HF accounts, avatars and organisations) ...
PERSONAL = {"submittedBy", "submittedOnDailyBy", "organization"}
# ... and HF-internal fields we keep no copy of.
NOT_KEPT = {"thumbnail", "mediaUrls", "discussionId", "githubRepoAddedBy", "ai_summary_model"}
# Copies of paper fields we add at the top level of an entry for huggingface_hub's
# PaperInfo (dailypapers/api/serializers.py CLIENT_TOP_LEVEL_COPIES).
CLIENT_COPIES = {"ai_summary", "ai_keywords", "projectPage", "githubRepo", "githubStars"}
# numComments' two parts, which Hugging Face has no need of: here and on Hugging Face.
OURS = {"numCommentsHere", "numCommentsOnHuggingFace"}


@pytest.fixture
def day_file(hf_dir):
    path = hf_dir / f"{DAY}.json"
    import_hf_daily([path])
    return json.loads(path.read_text())


def test_a_day_has_the_same_papers_order_text_votes_and_field_names_as_hugging_faces_file(
    client, day_file
):
    ours = client.get(f"/api/daily_papers?date={DAY}").json()
    assert [e["paper"]["id"] for e in ours] == [e["paper"]["id"] for e in day_file]
    for mine, theirs in zip(ours, day_file, strict=True):
        paper, their_paper = mine["paper"], theirs["paper"]
        assert mine["title"] == paper["title"] == collapse(theirs["title"])
        # The importer unwraps hard-wrapped abstracts; the words are the same.
        assert mine["summary"] == paper["summary"] == clean_abstract(their_paper["summary"])
        assert paper["upvotes"] == their_paper["upvotes"]
        assert mine["numComments"] == theirs["numComments"]
        assert [a["name"] for a in paper["authors"]] == [a["name"] for a in their_paper["authors"]]
        for key in ("publishedAt", "submittedOnDailyAt", "githubRepo", "githubStars", "projectPage",
                    "ai_summary", "ai_keywords"):  # fmt: skip
            assert paper.get(key) == their_paper.get(key), key
        assert set(mine) - PERSONAL - CLIENT_COPIES - OURS == set(theirs) - PERSONAL - NOT_KEPT
        assert set(paper) - PERSONAL == set(their_paper) - PERSONAL - NOT_KEPT
        for author in paper["authors"]:
            assert set(author) == {"_id", "name", "hidden"}
        # Hugging Face's submitter is dropped on import, as every account of theirs.
        assert "submittedBy" in theirs and "submittedBy" not in mine
        assert "submittedOnDailyBy" not in paper
        assert "avatarUrl" not in json.dumps(mine)


def test_the_summary_text_matches_hugging_faces_up_to_whitespace(client, day_file):
    ours = client.get(f"/api/daily_papers?date={DAY}").json()
    for mine, theirs in zip(ours, day_file, strict=True):
        assert mine["summary"].split() == theirs["paper"]["summary"].split()
