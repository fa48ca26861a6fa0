"""`slagen serve`: live HTML previews of a workspace's contracts, summaries and comparison, reloaded after a save."""

from __future__ import annotations

from slagen.serve.server import serve_workspace

__all__ = ["serve_workspace"]
