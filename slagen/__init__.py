"""slagen: Service Level Agreements from YAML support promises."""

from __future__ import annotations

__version__ = "0.1.0"
