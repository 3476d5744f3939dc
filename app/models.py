"""Import every domain's models so the mappers (and Alembic) see the whole schema."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

DOMAINS = ("org", "personnel", "security", "evaluation", "training", "reports", "exchange")


def import_all_models() -> None:
    root = Path(__file__).resolve().parent
    for domain in DOMAINS:
        if (root / domain / "models.py").exists():
            importlib.import_module(f"app.{domain}.models")
        # Extra model modules a domain may keep beside models.py (e.g. security/audit_models.py).
        for info in pkgutil.iter_modules([str(root / domain)]):
            if info.name.endswith("_models"):
                importlib.import_module(f"app.{domain}.{info.name}")


import_all_models()
