"""Batch: many appeals, a worker pool, a resumable ledger."""

from appealcheck.batch.local import BatchSummary, run_batch, write_csv

__all__ = ["BatchSummary", "run_batch", "write_csv"]
