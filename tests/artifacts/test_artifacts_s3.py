"""Artifacts on S3 (moto server) load back like local ones."""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped,unused-ignore]

from stackyard.artifacts import fs, load_value, save_value


def test_s3_round_trip(s3_root: str) -> None:
    uri = fs.join(s3_root, "a", "b")
    value = {"k": [1, 2, {"n": None}], "t": "x"}
    saved = save_value(value, fs.join(uri, "dict"))
    assert fs.exists(fs.join(uri, "dict", "data.json"))
    assert load_value(saved.uri, saved.materializer, saved.data_type, root=s3_root) == value

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    saved = save_value(frame, fs.join(uri, "frame"))
    assert fs.exists(fs.join(uri, "frame", "data.parquet"))
    pd.testing.assert_frame_equal(
        load_value(saved.uri, saved.materializer, saved.data_type, root=s3_root), frame
    )

    fs.remove(uri)
    assert not fs.exists(fs.join(uri, "dict", "data.json"))
