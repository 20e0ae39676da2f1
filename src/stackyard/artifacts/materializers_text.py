"""HTML and Markdown strings as plain UTF-8 files named for what they hold.

The file's suffix tells the dashboard how to show it without loading any code:
`data.html` is sanitised HTML, `data.md` is Markdown rendered and sanitised.
"""

from __future__ import annotations

from typing import Any

from stackyard.artifacts.materializers import BaseMaterializer, JSONValue
from stackyard.types import HTMLString, MarkdownString

FILES: dict[type, str] = {HTMLString: "data.html", MarkdownString: "data.md"}


class TextMaterializer(BaseMaterializer):
    """`HTMLString` and `MarkdownString`, read back as the same type."""

    ASSOCIATED_TYPES = (HTMLString, MarkdownString)
    READABLE_FILES = True

    def save(self, value: str) -> None:
        kind = HTMLString if isinstance(value, HTMLString) else MarkdownString
        with self.open(FILES[kind], "w") as file:
            file.write(str(value))

    def load(self, data_type: type) -> Any:
        kind = HTMLString if issubclass(data_type, HTMLString) else MarkdownString
        with self.open(FILES[kind], "r") as file:
            return kind(file.read())

    def extract_metadata(self, value: str) -> dict[str, JSONValue]:
        return {"length": len(value)}
