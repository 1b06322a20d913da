"""OAI-PMH page parsing throughput (issue target: ≥ 2,000 records/s).

Builds ListRecords pages of 1,000 records in each metadata format the harvester reads
(`arXiv`, `arXivRaw`, `oai_dc`) from the real responses in ../shared/fixtures/arxiv_oai
(records repeated with fresh identifiers), then times dailypapers.ingest.oai.parse_page
on them — the whole parse, from response bytes to PaperRecords, on one core:

    .venv/bin/python bench/oai_parse.py [--records 1000] [--rounds 5]

Run it after a change to dailypapers/ingest/oai.py or fields.py.
"""

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "arxiv_oai"
SOURCES = {
    "arXiv": "functional__arxiv__fixtures__http_server__records__arxiv-physics-hep-th.xml",
    "oai_dc": "test_arxiv_data.oai_dc.ListRecords.xml",
}

RAW_RECORD = """<record><header><identifier>oai:arXiv.org:{id}</identifier><datestamp>2024-05-02</datestamp>
<setSpec>cs</setSpec></header><metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>{id}</id>
<submitter>Ada Lovelace</submitter><version version="v1"><date>Mon, 29 Apr 2024 17:59:58 GMT</date><size>4521kb</size></version>
<version version="v2"><date>Thu, 2 May 2024 09:12:01 GMT</date><size>4530kb</size></version>
<title>Sparse mixtures of experts for efficient
  vision transformers</title><authors>Ada Lovelace, Alan Turing and Grace Hopper</authors>
<categories>cs.CV cs.LG</categories><comments>12 pages; code at https://github.com/example/moe-vit</comments>
<license>http://creativecommons.org/licenses/by/4.0/</license><abstract>  We route tokens to a few experts
per layer and keep accuracy while cutting compute; experiments on ImageNet show
large savings at equal quality.
</abstract></arXivRaw></metadata></record>"""


def page_of(records_xml):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        '<responseDate>2024-05-03T00:00:00Z</responseDate><request verb="ListRecords">x</request>'
        f"<ListRecords>{''.join(records_xml)}<resumptionToken>t</resumptionToken></ListRecords></OAI-PMH>"
    ).encode()


def records_from(fixture, count):
    text = (FIXTURES / fixture).read_text()
    found = re.findall(r"<record>.*?</record>", text, flags=re.S)
    out = []
    for n in range(count):
        record = found[n % len(found)]
        new_id = f"2405.{n:05d}"
        record = re.sub(r"oai:arXiv\.org:[^<]+", f"oai:arXiv.org:{new_id}", record)
        record = re.sub(r"<id>[^<]+</id>", f"<id>{new_id}</id>", record)
        out.append(record)
    return out


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not FIXTURES.exists():
        print(f"skipped: {FIXTURES} is not here (the shared fixtures)")
        return 0
    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dailypapers.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from dailypapers.ingest.oai import parse_page

    pages = {
        name: page_of(records_from(fixture, args.records)) for name, fixture in SOURCES.items()
    }
    pages["arXivRaw"] = page_of(RAW_RECORD.format(id=f"2405.{n:05d}") for n in range(args.records))
    print(f"| format | records/page | KB/page | records/s (best of {args.rounds}) |")
    print("|---|---:|---:|---:|")
    for name, body in pages.items():
        best = float("inf")
        for _ in range(args.rounds):
            start = time.perf_counter()
            page = parse_page(body)
            best = min(best, time.perf_counter() - start)
        parsed = len(page.records)
        print(f"| {name} | {parsed:,} | {len(body) / 1024:.0f} | {parsed / best:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
