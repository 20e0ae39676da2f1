"""Showing an artifact version without running anything it names.

The server never imports user code, so it never calls the materializer a version
records. It reads the files the built-in materializers write, by format only:
JSON (builtins, pydantic models), `.npy` with `allow_pickle=False`, parquet
through pyarrow, image bytes recognised by their signature, and HTML / Markdown
text, sanitised by nh3 (Markdown rendered by markdown-it first). Pickles and
unknown materializers are "not previewable". Files are read only from a URI that
lies inside the artifact store holding the version, and only up to a size limit.
"""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlsplit

from markupsafe import Markup

from stackyard.artifacts import fs

BUILTIN = "stackyard.artifacts.materializers_builtin."
MATERIALIZERS = {
    BUILTIN + "BuiltinMaterializer": "json",
    BUILTIN + "BytesMaterializer": "bytes",
    "stackyard.artifacts.materializers_pydantic.PydanticMaterializer": "json",
    "stackyard.artifacts.materializers_numpy.NumpyMaterializer": "numpy",
    "stackyard.artifacts.materializers_pandas.DataFrameMaterializer": "parquet",
    "stackyard.artifacts.materializers_pandas.SeriesMaterializer": "parquet",
    "stackyard.artifacts.materializers_text.TextMaterializer": "text",
}
IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
MAX_READ = 8 * 1024 * 1024
ROWS = 20
COLUMNS = 30
PLOT_POINTS = 400
PLOT_W, PLOT_H = 640, 180


class NotPreviewable(Exception):
    """Why a version is not shown (the message is for the page)."""


@dataclass
class Preview:
    kind: str  # table, image, html, json, text, plot-only, none
    reason: str = ""
    schema: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    total_rows: int | None = None
    shape: list[int] | None = None
    text: str = ""
    html: Markup = field(default_factory=Markup)
    image_type: str = ""
    plot: str = ""  # an SVG polyline's points
    plot_range: tuple[float, float] = (0.0, 0.0)


# -- where a file may be read from ---------------------------------------------------------
def _is_local(uri: str) -> bool:
    return urlsplit(uri).scheme in ("", "file")


def _local_path(uri: str) -> str:
    return os.path.realpath(uri[len("file://") :] if uri.startswith("file://") else uri)


def inside(uri: str, root: str) -> bool:
    """Whether `uri` names something under the artifact store root `root`: never for a
    root of `/` (or a bucket's whole namespace), never through `..` or a symlink that
    leads out, never a chained `a::b` URL. Which roots the server reads under at all is
    `stackyard.server.files`' to say (never one holding the server's own files)."""
    if not uri or not root or "::" in uri or "::" in root:
        return False
    if _is_local(uri) != _is_local(root):
        return False
    if _is_local(uri):
        path, base = _local_path(uri), _local_path(root)
        if base == "/":
            return False
        return path != base and os.path.commonpath([path, base]) == base
    parts = urlsplit(uri)
    if any(segment in ("..", ".") for segment in parts.path.split("/")):
        return False
    base_url = root.rstrip("/")
    if not urlsplit(base_url).netloc:
        return False
    return uri.startswith(base_url + "/")


def check_inside(uri: str, roots: list[str]) -> None:
    if not any(inside(uri, root) for root in roots):
        raise NotPreviewable(
            "its files lie outside the artifact store that holds it, "
            "so the server does not read them"
        )


def read_bytes(uri: str, roots: list[str], limit: int = MAX_READ) -> bytes:
    """The file at `uri` (checked again, so a symlink cannot lead out of the store)."""
    check_inside(uri, roots)
    try:
        with fs.open_uri(uri, "rb") as handle:
            data = bytes(handle.read(limit + 1))
    except FileNotFoundError:
        raise NotPreviewable(f"its file {uri} is missing") from None
    except OSError as exc:
        raise NotPreviewable(f"the server cannot read {uri}: {exc}") from None
    if len(data) > limit:
        raise NotPreviewable(f"it is larger than {limit // (1024 * 1024)} MB; download it instead")
    return data


def _exists(uri: str) -> bool:
    try:
        return fs.exists(uri)
    except OSError:
        return False


# -- formats ---------------------------------------------------------------------------------
def sanitise_html(text: str) -> Markup:
    import nh3

    return Markup(nh3.clean(text))


def render_markdown(text: str) -> Markup:
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)
    return sanitise_html(rendered)


def image_type(data: bytes) -> str | None:
    for signature, media_type in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _plot(values: list[Any], preview: Preview) -> None:
    """An SVG polyline of a numeric series (at most PLOT_POINTS points)."""
    numbers = [
        float(v)
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    ]
    if len(numbers) < 2 or len(numbers) != len(values):
        return
    step = max(1, math.ceil(len(numbers) / PLOT_POINTS))
    sampled = numbers[::step]
    low, high = min(sampled), max(sampled)
    spread = (high - low) or 1.0
    last = max(1, len(sampled) - 1)
    preview.plot = " ".join(
        f"{i * PLOT_W / last:.1f},{PLOT_H - (v - low) * PLOT_H / spread:.1f}"
        for i, v in enumerate(sampled)
    )
    preview.plot_range = (low, high)


def _json_preview(uri: str, roots: list[str]) -> Preview:
    data_file = fs.join(uri, "data.json")
    if not _exists(data_file):
        raise NotPreviewable("it was stored as a pickle, which the server never loads")
    value = json.loads(read_bytes(data_file, roots))
    if isinstance(value, str):
        return Preview("text", text=value)
    preview = Preview("json", text=json.dumps(value, indent=2, sort_keys=True))
    if isinstance(value, list):
        _plot(value, preview)
    return preview


def _bytes_preview(uri: str, roots: list[str]) -> Preview:
    data = read_bytes(fs.join(uri, "data.bin"), roots)
    media_type = image_type(data)
    if media_type is not None:
        return Preview("image", image_type=media_type)
    try:
        return Preview("text", text=data.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotPreviewable(f"it is {len(data)} bytes of binary data; download it") from None


def _text_preview(uri: str, roots: list[str]) -> Preview:
    for name, kind in (("data.html", "html"), ("data.md", "markdown")):
        path = fs.join(uri, name)
        if _exists(path):
            text = read_bytes(path, roots).decode("utf-8", "replace")
            html = sanitise_html(text) if kind == "html" else render_markdown(text)
            return Preview("html", html=html, text=text)
    raise NotPreviewable("its text file is missing")


def _numpy_preview(uri: str, roots: list[str]) -> Preview:
    try:
        import numpy as np
    except ImportError:
        raise NotPreviewable("numpy is not installed on the server") from None
    path = fs.join(uri, "data.npy")
    if not _exists(path):
        raise NotPreviewable("it was stored as a pickle, which the server never loads")
    array = np.load(io.BytesIO(read_bytes(path, roots)), allow_pickle=False)
    preview = Preview("table", shape=list(array.shape), schema=[("dtype", str(array.dtype))])
    if array.ndim == 0:
        return Preview("json", text=json.dumps(array.item(), default=str), shape=[])
    if array.ndim == 1:
        preview.columns = ["index", "value"]
        preview.rows = [[str(i), _cell(v)] for i, v in enumerate(array[:ROWS].tolist())]
        if array.dtype.kind in "iuf":
            _plot(array[: PLOT_POINTS * 50].tolist(), preview)
    else:
        flat = array.reshape(array.shape[0], -1) if array.ndim > 2 else array
        preview.columns = [str(i) for i in range(min(flat.shape[1], COLUMNS))]
        preview.rows = [[_cell(v) for v in row[:COLUMNS]] for row in flat[:ROWS].tolist()]
    preview.total_rows = int(array.shape[0])
    return preview


def _parquet_preview(uri: str, roots: list[str]) -> Preview:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise NotPreviewable("pyarrow is not installed on the server") from None
    path = fs.join(uri, "data.parquet")
    if not _exists(path):
        raise NotPreviewable("it was stored as a pickle, which the server never loads")
    handle: IO[Any] = io.BytesIO(read_bytes(path, roots))
    parquet = pq.ParquetFile(handle)
    hidden = {n for n in parquet.schema_arrow.names if n.startswith("__index_level_")}
    fields = [f for f in parquet.schema_arrow if f.name not in hidden]
    columns = [f.name for f in fields][:COLUMNS]
    preview = Preview(
        "table",
        schema=[(f.name, str(f.type)) for f in fields],
        columns=columns,
        total_rows=parquet.metadata.num_rows,
        shape=[parquet.metadata.num_rows, len(fields)],
    )
    first = next(parquet.iter_batches(batch_size=ROWS, columns=columns), None)
    if first is not None:
        records = first.to_pylist()
        preview.rows = [[_cell(r.get(c)) for c in columns] for r in records]
    if len(fields) == 1 and fields[0].type.num_fields == 0:
        values = parquet.read(columns=[fields[0].name]).column(0).to_pylist()
        _plot(values[: PLOT_POINTS * 50], preview)
    return preview


READERS = {
    "json": _json_preview,
    "bytes": _bytes_preview,
    "text": _text_preview,
    "numpy": _numpy_preview,
    "parquet": _parquet_preview,
}


def preview(version: dict[str, Any], roots: list[str]) -> Preview:
    """What the version page shows for `version` (a row), read from inside `roots`."""
    fmt = MATERIALIZERS.get(str(version.get("materializer")))
    try:
        if fmt is None:
            raise NotPreviewable(
                f"its materializer {version.get('materializer')} is not one of the built-in "
                "formats the server reads without running code"
            )
        check_inside(str(version["uri"]), roots)
        return READERS[fmt](str(version["uri"]), roots)
    except NotPreviewable as exc:
        return Preview("none", reason=str(exc))
    except (ValueError, TypeError, KeyError) as exc:
        return Preview("none", reason=f"its files could not be read as {fmt}: {exc}")


def image_bytes(version: dict[str, Any], roots: list[str]) -> tuple[bytes, str]:
    """The raw bytes and media type of an image version (NotPreviewable otherwise)."""
    if MATERIALIZERS.get(str(version.get("materializer"))) != "bytes":
        raise NotPreviewable("it is not an image")
    check_inside(str(version["uri"]), roots)
    data = read_bytes(fs.join(str(version["uri"]), "data.bin"), roots)
    media_type = image_type(data)
    if media_type is None:
        raise NotPreviewable("it is not an image")
    return data, media_type


def stored_files(uri: str, roots: list[str]) -> list[tuple[str, str]]:
    """(name, uri) of every file stored for a version, for downloading."""
    check_inside(uri, roots)
    filesystem, path = fs.filesystem(uri)
    try:
        found = filesystem.find(path)
    except OSError as exc:
        raise NotPreviewable(f"the server cannot list {uri}: {exc}") from None
    base = path.rstrip("/") + "/"
    names = [str(f)[len(base) :] for f in found if str(f).startswith(base)]
    return [(name, fs.join(uri, name)) for name in sorted(names)]


__all__ = ["NotPreviewable", "Preview", "image_bytes", "inside", "preview", "stored_files"]
