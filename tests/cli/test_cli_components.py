"""Stack components (all types and per-type groups) and flavors through the CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import yaml

from stackyard.client import Client


def test_register_with_config_pairs_and_describe(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "store"
    out = run_cli(
        "stack-component",
        "register",
        "shared",
        "--type",
        "artifact-store",
        "--flavor",
        "local",
        "--config",
        f"path={target}",
    ).stdout
    assert "Registered artifact_store 'shared'" in out
    data = json.loads(run_cli("artifact-store", "describe", "shared", "-o", "json").stdout)
    assert data["configuration"] == {"path": str(target)}
    assert data["type"] == "artifact_store" and data["flavor"] == "local"


def test_config_file_and_per_type_list(run_cli, tmp_path: Path) -> None:
    config = tmp_path / "store.yaml"
    config.write_text(f"path: {tmp_path / 'from-file'}\n")
    run_cli("artifact-store", "register", "filed", "-f", "local", "-c", str(config))
    names = [c["name"] for c in json.loads(run_cli("artifact-store", "list", "-o", "json").stdout)]
    assert names == ["default", "filed"]
    # the orchestrator group only sees orchestrators
    orchestrators = json.loads(run_cli("orchestrator", "list", "-o", "json").stdout)
    assert {c["type"] for c in orchestrators} == {"orchestrator"}
    # the type option is implied, so the per-type list has none
    assert run_cli("orchestrator", "list", "--type", "alerter", code=2).exit_code == 2


def test_invalid_config_is_refused_with_the_accepted_keys(run_cli, tmp_path: Path) -> None:
    result = run_cli(
        "artifact-store", "register", "bad", "-f", "local", "--config", "colour=red", code=1
    )
    assert result.stderr.startswith("Error: ")
    assert "colour" in result.stderr and "path" in result.stderr
    malformed = run_cli("artifact-store", "register", "bad", "-f", "local", "--config", "x", code=2)
    assert "not key=value" in malformed.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("path: [unclosed\n")
    result = run_cli("artifact-store", "register", "bad", "-f", "local", "-c", str(broken), code=2)
    assert "not valid YAML" in result.stderr
    bad_type = run_cli("stack-component", "register", "x", "--type", "nope", "-f", "local", code=2)
    assert "'nope'" in bad_type.stderr and "artifact_store" in bad_type.stderr


def test_unknown_flavor_names_the_available_ones(run_cli) -> None:
    result = run_cli("orchestrator", "register", "x", "--flavor", "kubeflow", code=1)
    assert "kubeflow" in result.stderr and "local" in result.stderr


def test_update_merges_config_and_renames(run_cli, tmp_path: Path, client: Client) -> None:
    run_cli("artifact-store", "register", "s", "-f", "local", "--config", f"path={tmp_path}")
    run_cli(
        "artifact-store", "update", "s", "--config", f"path={tmp_path / 'new'}", "--name", "renamed"
    )
    component = client.get_stack_component("renamed", "artifact_store")
    assert component.configuration == {"path": str(tmp_path / "new")}


def test_same_name_in_two_types_needs_the_type(run_cli, client: Client) -> None:
    both = run_cli("stack-component", "describe", "default", code=1)
    assert "several" in both.stderr
    out = run_cli("stack-component", "describe", "default", "--type", "orchestrator", "-o", "yaml")
    assert yaml.safe_load(out.stdout)["type"] == "orchestrator"


def test_delete_component_in_use_is_refused(run_cli, client: Client) -> None:
    refused = run_cli("orchestrator", "delete", "default", "--yes", code=1)
    assert refused.stderr.startswith("Error: ") and "default" in refused.stderr
    run_cli("orchestrator", "register", "spare", "-f", "local")
    assert (
        "Deleted stack component 'spare'" in run_cli("orchestrator", "delete", "spare", "-y").stdout
    )
    assert [c.name for c in client.list_stack_components(type="orchestrator")] == ["default"]


def test_flavor_list_filter_and_describe(run_cli) -> None:
    flavors = json.loads(run_cli("flavor", "list", "--type", "orchestrator", "-o", "json").stdout)
    assert {f["name"] for f in flavors} == {"local", "local_parallel", "ray"}
    ambiguous = run_cli("flavor", "describe", "local", code=1)
    assert "several" in ambiguous.stderr
    out = run_cli("flavor", "describe", "local", "--type", "artifact_store").stdout
    assert "Configuration:" in out and "path" in out


def test_flavor_register_custom_class(run_cli, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "my_flavors.py").write_text(
        textwrap.dedent(
            """
            from typing import ClassVar
            from stackyard.orchestrators import LocalOrchestratorFlavor

            class QuickFlavor(LocalOrchestratorFlavor):
                name: ClassVar[str] = "quick"
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    wrong = run_cli("flavor", "register", "my_flavors.QuickFlavor", "--type", "alerter", code=1)
    assert "orchestrator" in wrong.stderr
    out = run_cli("flavor", "register", "my_flavors.QuickFlavor", "--type", "orchestrator").stdout
    assert "Registered orchestrator flavor 'quick'" in out
    custom = json.loads(run_cli("flavor", "list", "--is-custom", "true", "-o", "json").stdout)
    assert [f["name"] for f in custom] == ["quick"]
    run_cli("orchestrator", "register", "q", "--flavor", "quick")
    missing = run_cli("flavor", "register", "no_such_module.Flavor", code=1)
    assert "no_such_module" in missing.stderr
