"""What an import found: one message per finding, with a severity; errors block publishing, warnings do not."""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Check:
    """One finding of an import: `code` is stable (tests and the UI key on it), `text` is for people."""

    severity: str
    code: str
    text: str
    zone_id: str | None = None
    feature: int | None = None  # 1-based, in the file's order

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r} (expected one of {', '.join(SEVERITIES)})")

    def __str__(self) -> str:
        return f"{self.severity}: {self.text}"


def errors(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.severity == ERROR]
