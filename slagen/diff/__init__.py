"""The tree diff: from two document trees to one marked tree (words, then blocks, then clauses); pure, no I/O."""

from slagen.diff.clauses import ClauseChange, ClauseSummary, RedlineResult, redline_documents, summarise
from slagen.diff.words import diff_inlines

__all__ = ["ClauseChange", "ClauseSummary", "RedlineResult", "diff_inlines", "redline_documents", "summarise"]
