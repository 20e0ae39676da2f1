"""The generated manifest holds the shapes the models define, and reading it
imports no pydantic."""

from __future__ import annotations

import subprocess
import sys

from stackyard.models.spec import all_specs, shape_for

REGENERATE = "out of date: run .venv/bin/python scripts/generate_manifest.py"


def test_manifest_matches_the_models() -> None:
    for spec in all_specs():
        assert shape_for(spec.name).to_data() == spec.shape.to_data(), f"{spec.name}: {REGENERATE}"


def test_manifest_shapes_derive_filters_like_the_specs() -> None:
    for spec in all_specs():
        shape = shape_for(spec.plural)
        assert shape.filter_fields == spec.filter_fields
        assert shape.sort_fields == spec.sort_fields
        assert shape.relations == spec.relations
        assert shape.owned == spec.owned


def test_shapes_load_without_pydantic() -> None:
    code = (
        "import sys\n"
        "from stackyard.models.spec import resource_names, shape_for\n"
        "assert all(shape_for(k).filter_fields for k in resource_names())\n"
        "print('pydantic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_client_filter_types_match_the_specs() -> None:
    """Each list method's TypedDict names exactly the filters its resource takes."""
    import typing

    from stackyard.client import filters

    for spec in all_specs():
        typed = getattr(filters, "".join(p.capitalize() for p in spec.name.split("_")) + "Filters")
        assert list(typing.get_type_hints(typed)) == spec.filter_fields, (
            f"{spec.name}: {REGENERATE}"
        )
        handle = getattr(filters, spec.name.upper())
        assert handle.name == spec.name, f"{spec.name}: {REGENERATE}"


def test_every_model_class_is_reachable_from_the_package() -> None:
    import stackyard.models as models

    for spec in all_specs():
        for model in (spec.response, spec.request, spec.update):
            if model is not None:
                assert getattr(models, model.__name__) is model, REGENERATE
