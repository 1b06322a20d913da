"""The feed pages over the real Hugging Face history in ../shared (skipped without it)."""

import pytest

from dailypapers.ingest.formats.hf_daily import iter_hf_paths, parse_hf_daily_file
from dailypapers.ingest.importing import import_hf_daily
from tests.test_feed_pages import ids_on, nav

pytestmark = pytest.mark.django_db


def test_every_days_page_lists_exactly_that_files_papers_in_upvote_order(client, hf_dir):
    report = import_hf_daily([hf_dir])
    assert len(report.files) == 580 and all(ok for _, _, ok in report.files)
    days = []
    for path in iter_hf_paths([hf_dir]):
        parsed = parse_hf_daily_file(path)
        expected = [e.paper.arxiv_id for e in parsed.entries]
        upvotes = [e.upvotes for e in parsed.entries]
        assert upvotes == sorted(upvotes, reverse=True)  # the files are in upvote order
        day = path.stem
        response = client.get(f"/papers/date/{day}")
        assert response.status_code == 200
        assert ids_on(response) == expected, day
        days.append(day)
    # Navigation walks the 580 days in order, skipping the weekends in between.
    for before, day, after in zip(days, days[1:], days[2:]):
        assert nav(client.get(f"/papers/date/{day}")) == (
            f"/papers/date/{before}",
            f"/papers/date/{after}",
        )
    assert nav(client.get(f"/papers/date/{days[0]}"))[0] is None
    assert nav(client.get(f"/papers/date/{days[-1]}"))[1] is None
    home = client.get("/")
    assert ids_on(home) == ids_on(client.get(f"/papers/date/{days[-1]}"))
