"""The follow-up schedule: data/reference/followup.yaml loaded into ref_followup_rules (reloaded when it changes)."""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb
import pandas as pd
import yaml

from dashboard.core.authz import User, require_signed_in
from dashboard.core.config import AREAS, PRODUCTS, REFERENCE_DIR
from dashboard.core.db import Database

SCHEDULE_FILE = REFERENCE_DIR / "followup.yaml"
_HASH_KEY = "followup_schedule_hash"


def schedule_hash() -> str:
    """Return the SHA-256 of the schedule file (the rules are reloaded when it changes)."""
    return hashlib.sha256(SCHEDULE_FILE.read_bytes()).hexdigest()


def build_rules(text: str | None = None) -> list[dict[str, Any]]:
    """Read the schedule file (or the given YAML text) into rule rows; refuses unknown codes and bad days."""
    doc = yaml.safe_load(text if text is not None else SCHEDULE_FILE.read_text(encoding="utf-8"))
    default = doc["default"]
    rows = [{"product": None, "area": None, **_days(default), "reason": str(default["reason"])}]
    for rule in doc.get("rules") or []:
        product, area = rule.get("product"), rule.get("area")
        if product is None and area is None:
            raise ValueError("a follow-up rule needs a product, an area or both")
        if product is not None and product not in PRODUCTS:
            raise ValueError(f"follow-up rule: unknown product {product!r}")
        if area is not None and area not in AREAS:
            raise ValueError(f"follow-up rule: unknown area {area!r}")
        rows.append({"product": product, "area": area, **_days(rule), "reason": str(rule["reason"])})
    return rows


def _days(spec: dict[str, Any]) -> dict[str, int]:
    review, watch = int(spec["review_day"]), int(spec["watch_until_day"])
    if not 1 <= review <= watch:
        raise ValueError(f"follow-up rule: review day {review} must be at least 1 and not after the watch end {watch}")
    return {"review_day": review, "watch_until_day": watch}


def ensure_schedule(db: Database) -> bool:
    """Load the schedule into ref_followup_rules when the file changed; returns True when it was loaded."""
    digest = schedule_hash()
    if db.query_scalar("settings_get", {"key": _HASH_KEY}) == digest:
        return False
    rules = build_rules()

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        db.execute_named(cur, "followup_rules_delete")
        for row in rules:
            db.execute_named(cur, "followup_rules_insert", row)
        db.execute_named(cur, "settings_set", {"key": _HASH_KEY, "value": digest})

    db.write(work)
    return True


def schedule_rules(db: Database, user: User | None) -> pd.DataFrame:
    """Return the follow-up schedule, the default first (any signed-in role; shown on the Reference page)."""
    require_signed_in(user)
    ensure_schedule(db)
    return db.query("followup_rules")
