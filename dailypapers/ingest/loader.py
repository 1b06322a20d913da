"""Write parsed records to the database in batches: idempotent upserts keyed by arXiv id.

1. Records are grouped in batches (bounded memory; one transaction per batch).
2. The batch's existing papers are read in one query.
3. New papers are bulk-inserted; existing ones get only the fields the record provides,
   and only when they differ (so a re-import writes nothing and reports "unchanged").
   A record for an older version than the stored one is skipped.
4. Category rows follow the paper's category list.
5. Feed entries are upserted on (paper, day), the same way. Their upvote and comment
   counts are the source's plus the local ones (FeedEntry.imported_upvotes): only the
   source's part is replaced, in SQL, so local votes survive a re-import; a new entry
   is given the local part by the database's triggers.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dailypapers.ingest.records import CORE_FIELDS, SOURCE_RANK, PaperRecord
from dailypapers.ingest.sql import RowInserter, RowUpdater, ids_for
from dailypapers.papers.models import FeedEntry, Paper, PaperCategory
from dailypapers.search import keyword

# Records per transaction: bounds memory (a few MB) and makes commits rare enough not to
# matter (each costs an fsync on SQLite).
DEFAULT_BATCH_SIZE = 5000

ENTRY_FIELDS = ("submitted_at", "position")
# The source's counts: record attribute -> FeedEntry column. The visible counters
# (upvotes, num_comments) add the local votes and comments to these.
COUNT_FIELDS = {"upvotes": "imported_upvotes", "num_comments": "imported_comments"}


@dataclass
class Tally:
    """created / updated / unchanged / skipped counts, with the reasons for skips."""

    counts: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def add(self, outcome, n=1):
        self.counts[outcome] += n

    def skip(self, reason, n=1):
        self.counts["skipped"] += n
        self.skipped[reason] += n

    def line(self, noun):
        c = self.counts
        text = (
            f"{noun}: {c['created']} created, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {c['skipped']} skipped"
        )
        if self.skipped:
            reasons = "; ".join(f"{n} × {reason}" for reason, n in self.skipped.most_common(10))
            text += f" ({reasons})"
        return text


@dataclass
class Loaded:
    """What became of one paper record: its paper's pk, the outcome (created, updated,
    unchanged, skipped) and, for a skip, why."""

    pk: int
    outcome: str
    reason: str = ""


def _paper_values(record):
    """Field values the record provides (None means 'not provided')."""
    values = {}
    for name in PaperRecord.FIELDS:
        value = getattr(record, name)
        if value is not None:
            values[name] = value
    if record.categories:
        values["primary_category"] = record.categories[0]
    values["metadata_source"] = record.source
    return values


def _outranked(source, stored_source):
    return SOURCE_RANK.get(source, 0) < SOURCE_RANK.get(stored_source, 0)


def _merge(records):
    """Several records for one id in one batch: later ones win field by field."""
    merged = {}
    for record in records:
        current = merged.get(record.arxiv_id)
        if current is None or _is_older(current.version, record.version):
            merged[record.arxiv_id] = record
        elif not _is_older(record.version, current.version):
            outranked = _outranked(record.source, current.source)
            for name in PaperRecord.FIELDS:
                value = getattr(record, name)
                if value is not None and not (outranked and name in CORE_FIELDS):
                    setattr(current, name, value)
            if not outranked:
                current.source = record.source
    return merged


def _is_older(have, incoming):
    """True when `have` is an older version than `incoming` (unknown versions never are)."""
    return have is not None and incoming is not None and have < incoming


def _count_update_sql():
    """UPDATE of an entry's imported counts that moves the visible ones by the same
    amount (`upvotes - imported_upvotes` is the local part), computed by the database
    from the row as it is, so a vote committed meanwhile is kept."""
    quote = connection.ops.quote_name
    sets = []
    for shown, imported in COUNT_FIELDS.items():
        shown, imported = quote(shown), quote(imported)
        sets.append(f"{shown} = {shown} - {imported} + %s")
    sets += [f"{quote(imported)} = %s" for imported in COUNT_FIELDS.values()]
    sets.append(f"{quote('updated_at')} = %s")
    return (
        f"UPDATE {quote(FeedEntry._meta.db_table)} SET {', '.join(sets)} WHERE {quote('id')} = %s"
    )


class Interrupted(KeyboardInterrupt):
    """Raised between two batches once `should_stop()` says so (SIGTERM, Ctrl-C)."""


class Loader:
    def __init__(self, batch_size=DEFAULT_BATCH_SIZE, *, real_data=False, should_stop=None):
        self.batch_size = batch_size
        # Asked before each transaction: a stop requested by a signal handler takes effect
        # between batches, so the tallies are exactly what was committed.
        self.should_stop = should_stop or (lambda: False)
        # An import of real data (`import`, `harvest`; not `load-demo`, not a fetched paper or
        # two) ends the site's demo state on its first write (core/demo.py).
        self._ends_demo = real_data
        self._at_commit = (Counter(), Counter(), Counter(), Counter())
        self.papers = Tally()
        self.entries = Tally()
        # Every Paper column but the primary key, with model defaults for what a record
        # does not provide.
        self._paper_defaults = {
            f.name: f.get_default()
            for f in Paper._meta.concrete_fields
            if not f.primary_key and f.name not in ("arxiv_id",)
        }
        self._paper_columns = ["arxiv_id", *self._paper_defaults]
        self._insert_paper = RowInserter(Paper, self._paper_columns)
        self._insert_category = RowInserter(PaperCategory, ["paper", "category"])
        self._update_paper = RowUpdater(Paper)
        self._update_entry = RowUpdater(FeedEntry)
        self._insert_entry = RowInserter(
            FeedEntry,
            # submitter_name stays empty: imports keep no source account (README,
            # "Importing papers"); only local submissions name a submitter.
            ["paper", "day", *ENTRY_FIELDS, *COUNT_FIELDS.values(), *COUNT_FIELDS,
             "submitter_name", "hidden", "created_at", "updated_at"],
        )  # fmt: skip
        self._count_sql = _count_update_sql()

    # -- papers -----------------------------------------------------------------------

    def load_papers(self, records):
        """Upsert PaperRecords; returns {arxiv_id: Loaded} for the batch's papers (several
        records for one id are merged into one, see _merge)."""
        merged = _merge(records)
        if not merged:
            return {}
        outcomes = {}
        now = timezone.now()
        known = ids_for(Paper, "arxiv_id", merged)
        existing = (
            {p.arxiv_id: p for p in Paper.objects.filter(pk__in=known.values())} if known else {}
        )
        to_create, to_update, recategorised = [], [], []
        for arxiv_id, record in merged.items():
            values = _paper_values(record)
            paper = existing.get(arxiv_id)
            if paper is None:
                to_create.append((arxiv_id, values))
                continue
            if _is_older(record.version, paper.version):
                reason = f"older version than stored (v{record.version} < v{paper.version})"
                self.papers.skip(reason)
                outcomes[arxiv_id] = Loaded(paper.pk, "skipped", reason)
                continue
            if _outranked(record.source, paper.metadata_source):
                # e.g. Hugging Face's copy of a title that arXiv metadata already gave us.
                for name in (*CORE_FIELDS, "metadata_source"):
                    values.pop(name, None)
            changed = [name for name, value in values.items() if getattr(paper, name) != value]
            if not changed:
                self.papers.add("unchanged")
                outcomes[arxiv_id] = Loaded(paper.pk, "unchanged")
                continue
            for name in changed:
                setattr(paper, name, values[name])
            if "categories" in changed:
                recategorised.append(paper)
            paper.updated_at = now
            to_update.append((paper, [*changed, "updated_at"]))
            outcomes[arxiv_id] = Loaded(paper.pk, "updated")

        ids = {arxiv_id: paper.pk for arxiv_id, paper in existing.items()}
        if to_create or to_update:
            self._wrote()
        if to_create:
            defaults = [*{**self._paper_defaults, "created_at": now, "updated_at": now}.items()]

            def insert():
                self._insert_paper.insert(
                    [
                        [arxiv_id, *[values.get(name, default) for name, default in defaults]]
                        for arxiv_id, values in to_create
                    ]
                )
                return ids_for(Paper, "arxiv_id", (a for a, _ in to_create))

            # The keyword index takes the batch in one statement (search/keyword.py).
            ids.update(keyword.inserting_papers(insert))
            self.papers.add("created", len(to_create))
            outcomes.update(
                (arxiv_id, Loaded(ids[arxiv_id], "created")) for arxiv_id, _ in to_create
            )
        if to_update:
            self._update_paper.update(to_update)
            self.papers.add("updated", len(to_update))
        category_lists = [(ids[a], v.get("categories")) for a, v in to_create]
        category_lists += [(p.pk, p.categories) for p in recategorised]
        self._write_categories(category_lists, [p.pk for p in recategorised])
        return outcomes

    def _write_categories(self, category_lists, replaced_ids):
        if replaced_ids:
            PaperCategory.objects.filter(paper__in=replaced_ids).delete()
        self._insert_category.insert(
            [
                (pk, category)
                for pk, categories in category_lists
                for category in dict.fromkeys(categories or [])
            ]
        )

    # -- feed entries -----------------------------------------------------------------

    def load_entries(self, entry_records):
        """Upsert EntryRecords (and their papers) on (paper, day).

        A paper's fields follow its latest feed day: a record from a day earlier than one
        already stored (an old file imported again, or files given out of order) updates
        the entry but leaves the paper alone. Otherwise a re-run would roll newer data
        such as github_stars back and forth, and would never report "unchanged".
        """
        entry_records = sorted(entry_records, key=lambda e: e.day)  # later days win in _merge
        arxiv_ids = {e.paper.arxiv_id for e in entry_records}
        latest = dict(
            FeedEntry.objects.filter(paper__arxiv_id__in=arxiv_ids)
            .values_list("paper__arxiv_id")
            .annotate(Max("day"))
        )
        current = [e.paper for e in entry_records if e.day >= latest.get(e.paper.arxiv_id, e.day)]
        paper_ids = {arxiv_id: loaded.pk for arxiv_id, loaded in self.load_papers(current).items()}
        stale = arxiv_ids - paper_ids.keys()
        if stale:
            paper_ids.update(Paper.objects.filter(arxiv_id__in=stale).values_list("arxiv_id", "id"))
            self.papers.add("unchanged", len(stale))
        wanted = {}
        for record in entry_records:
            pk = paper_ids.get(record.paper.arxiv_id)
            if pk is None:
                self.entries.skip("paper skipped")
                continue
            wanted[(pk, record.day)] = record
        if not wanted:
            return
        now = timezone.now()
        days = {day for _, day in wanted}
        existing = {
            (e.paper_id, e.day): e
            for e in FeedEntry.objects.filter(day__in=days, paper_id__in={pk for pk, _ in wanted})
        }
        to_create, to_update, recount = [], [], []
        for key, record in wanted.items():
            values = {name: getattr(record, name) for name in ENTRY_FIELDS}
            counts = [getattr(record, name) for name in COUNT_FIELDS]
            entry = existing.get(key)
            if entry is None:
                to_create.append((*key, *values.values(), *counts, *counts, "", False, now, now))
                continue
            changed = [name for name, value in values.items() if getattr(entry, name) != value]
            recounted = counts != [getattr(entry, column) for column in COUNT_FIELDS.values()]
            if not changed and not recounted:
                self.entries.add("unchanged")
                continue
            if changed:
                for name in changed:
                    setattr(entry, name, values[name])
                entry.updated_at = now
                to_update.append(entry)
            if recounted:
                recount.append(
                    [*counts, *counts, connection.ops.adapt_datetimefield_value(now), entry.pk]
                )
            self.entries.add("updated")
        if to_create or to_update or recount:
            self._wrote()
        if to_create:
            self._insert_entry.insert(to_create)
            self.entries.add("created", len(to_create))
            # The database adds the paper's local votes and comments to a new entry's
            # imported counts (community/counters.py, discussion/counters.py).
        if to_update:
            self._update_entry.update((e, (*ENTRY_FIELDS, "updated_at")) for e in to_update)
        if recount:
            with connection.cursor() as cursor:
                cursor.executemany(self._count_sql, recount)

    def _wrote(self):
        if self._ends_demo:
            from dailypapers.core import demo

            demo.real_data_arrived()
            self._ends_demo = False

    # -- batching -------------------------------------------------------------------

    def papers_in_batches(self, records):
        batch = []
        for record in records:
            batch.append(record)
            if len(batch) >= self.batch_size:
                self._flush_papers(batch)
                batch = []
        if batch:
            self._flush_papers(batch)

    def check_stop(self):
        if self.should_stop():
            raise Interrupted

    def _flush_papers(self, batch):
        self.check_stop()
        with transaction.atomic():
            self.load_papers(batch)
        self.committed()

    def flush_entries(self, batch):
        self.check_stop()
        with transaction.atomic():
            self.load_entries(batch)
        self.committed()

    def committed(self):
        # After each commit, by whoever holds the transaction (here, or oai.harvest).
        self._at_commit = (Counter(self.papers.counts), Counter(self.papers.skipped),
                           Counter(self.entries.counts), Counter(self.entries.skipped))  # fmt: skip

    def forget_uncommitted(self):
        """Back to the tallies of the last commit: after an interruption the summary says
        what is in the database, not what the rolled-back batch had counted."""
        papers, papers_skipped, entries, entries_skipped = self._at_commit
        self.papers = Tally(Counter(papers), Counter(papers_skipped))
        self.entries = Tally(Counter(entries), Counter(entries_skipped))
