"""Rebuild the bundled demo dataset (dailypapers/demo/hf_daily/) from Hugging Face
daily_papers responses: the latest N days, with personal fields stripped.

    python scripts/make_demo_data.py ../shared/data/hf_daily_papers --days 20

Kept: what the product shows (ids, titles, abstracts, author names, upvotes, comment
counts, GitHub/project links, AI summaries and keywords, timestamps). Dropped: every
Hugging Face user object (submitters, claimed authors, avatars), organisations and media.
"""

import argparse
import gzip
import json
from pathlib import Path

from dailypapers.ingest.formats.hf_daily import _decode_hf_items
from dailypapers.ingest.records import FileResult, RecordError

PAPER_KEEP = (
    "id", "publishedAt", "submittedOnDailyAt", "title", "summary", "upvotes", "discussionId",
    "projectPage", "githubRepo", "githubStars", "ai_summary", "ai_keywords",
)  # fmt: skip
ENTRY_KEEP = ("publishedAt", "title", "summary", "numComments", "isAuthorParticipating")


def strip_entry(entry):
    paper = {k: entry["paper"][k] for k in PAPER_KEEP if k in entry["paper"]}
    paper["authors"] = [
        {"_id": a.get("_id"), "name": a["name"], "hidden": a.get("hidden", False)}
        for a in entry["paper"].get("authors", [])
    ]
    out = {"paper": paper}
    out.update({k: entry[k] for k in ENTRY_KEEP if k in entry})
    return out


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", type=Path)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("dailypapers/demo/hf_daily"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.json.gz"):
        old.unlink()
    files = sorted(args.source.glob("*.json"))[-args.days :]
    for path in files:
        data = json.loads(path.read_text())
        items = _decode_hf_items(data, FileResult(path=path))
        entries = [strip_entry(e) for e in items if not isinstance(e, RecordError)]
        target = args.out / (path.stem + ".json.gz")
        # mtime=0: the same input always gives the same bytes (no churn in git).
        with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(json.dumps(entries, ensure_ascii=False, indent=0).encode())
        print(f"{target}: {len(entries)} entries")


if __name__ == "__main__":
    main()
