"""What scripts/generate_manifest.py writes matches the code it is generated from (the
resource specs, the Client's areas, the CLI's commands), reading the manifest imports
no pydantic, and each resource's rules are where its spec says."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

from stackyard.models.spec import all_specs, discover, shape_for

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "out of date: run .venv/bin/python scripts/generate_manifest.py"


def test_every_generated_file_is_up_to_date() -> None:
    """Rendered afresh from the code (new resources included, types and all)."""
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts/generate_manifest.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert check.returncode == 0, f"{check.stdout}{check.stderr}{REGENERATE}"


def test_every_registered_resource_is_in_the_manifest() -> None:
    assert sorted(s.name for s in discover()) == sorted(s.name for s in all_specs()), REGENERATE


def test_each_resources_rules_are_where_its_spec_says() -> None:
    """A spec's `hooks` module holds rules for it, and every rule belongs to a resource
    whose spec names that module (a mismatch would silently drop the rules)."""
    import stackyard.store.sql.hooks as package

    specs = {s.name: s for s in discover()}
    for found in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{found.name}")
        for resource in getattr(module, "HOOKS", {}):
            assert resource in specs, f"hooks/{found.name}.py has rules for unknown {resource!r}"
            assert specs[resource].hooks == found.name, (
                f"hooks/{found.name}.py has rules for {resource!r}, whose spec says "
                f"hooks={specs[resource].hooks!r}"
            )
    for spec in specs.values():
        if spec.hooks is not None:
            module = importlib.import_module(f"{package.__name__}.{spec.hooks}")
            assert spec.name in module.HOOKS, f"{spec.name}: hooks/{spec.hooks}.py has no rules"


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

    from stackyard.client import filters, kinds

    for spec in all_specs():
        typed = getattr(filters, spec.response.__name__.removesuffix("Response") + "Filters")
        assert list(typing.get_type_hints(typed)) == spec.filter_fields, (
            f"{spec.name}: {REGENERATE}"
        )
        handle = getattr(kinds, spec.name.upper())
        assert handle.name == spec.name, f"{spec.name}: {REGENERATE}"


def test_every_model_class_is_reachable_from_the_package() -> None:
    import stackyard.models as models

    for spec in all_specs():
        for model in (spec.response, spec.request, spec.update):
            if model is not None:
                assert getattr(models, model.__name__) is model, REGENERATE
