"""Ingest bookkeeping: where each OAI-PMH harvest stands (dailypapers/ingest/oai.py)."""

from django.db import models


class HarvestState(models.Model):
    """The checkpoint of one OAI-PMH harvest (one set in one metadata format).

    Moved in the same transaction as the page of papers it follows
    (oai.harvest), so a harvest killed at any moment resumes after the last committed
    page: nothing lost, nothing written twice.
    """

    set_spec = models.CharField(max_length=64, help_text="OAI set, e.g. 'cs' or 'physics:hep-ex'")
    metadata_prefix = models.CharField(max_length=16, default="arXiv")
    # The run in progress: its resumption token (empty when no run is in progress), its
    # from/until, and the newest record datestamp it has committed so far.
    resumption_token = models.TextField(blank=True)
    run_from = models.DateField(null=True, blank=True)
    run_until = models.DateField(null=True, blank=True)
    run_datestamp = models.DateField(null=True, blank=True)
    # The newest datestamp of the last completed run: the next incremental run asks for
    # records `from` this day (inclusive, so a day harvested half-way is asked again;
    # re-loading a paper writes nothing).
    last_datestamp = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["set_spec", "metadata_prefix"], name="harvest_state_unique"
            ),
        ]

    def __str__(self):
        return f"{self.set_spec} ({self.metadata_prefix})"
