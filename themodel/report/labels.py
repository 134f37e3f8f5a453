"""Korean and English labels of mart columns.

The Korean label is declared once, as ``config.meta.label_ko`` of each mart column in
``models/marts/**/_*__models.yml``; the English label is the column name in words.
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[2]
ENGLISH = {"handoff": "hand-off", "fte": "FTE", "kpis": "KPIs", "ae": "AE", "sdr": "SDR"}


def korean_labels(project: Path = PROJECT) -> dict[tuple[str, str], str]:
    """(model, column) -> label_ko for every mart column that declares one."""
    labels: dict[tuple[str, str], str] = {}
    for path in sorted((project / "models" / "marts").glob("**/_*__models.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            for column in model.get("columns", []):
                meta = (column.get("config") or {}).get("meta") or column.get("meta") or {}
                if "label_ko" in meta:
                    labels[(model["name"], column["name"])] = meta["label_ko"]
    return labels


def english(column: str) -> str:
    words = [ENGLISH.get(word, word) for word in column.removesuffix("_count").split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


class Labels:
    def __init__(self, korean: dict[tuple[str, str], str]):
        self.korean = korean

    def __call__(self, model: str, column: str) -> str:
        """'English / 한국어' for a mart column; English alone when no label_ko exists."""
        ko = self.korean.get((model, column))
        return f"{english(column)} / {ko}" if ko else english(column)
