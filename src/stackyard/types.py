"""Strings that say what they hold, so the dashboard can show them as documents.

A step annotated `-> HTMLString` or `-> MarkdownString` stores its text as an
`.html` or `.md` file; the dashboard renders it (sanitised) instead of printing a
string. Both behave exactly like `str` everywhere else.
"""

from __future__ import annotations


class HTMLString(str):
    """Text that is an HTML document or fragment."""

    __slots__ = ()


class MarkdownString(str):
    """Text written in Markdown."""

    __slots__ = ()


__all__ = ["HTMLString", "MarkdownString"]
