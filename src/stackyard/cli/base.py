"""What every command module shares: the Client, common options, parsing helpers.

Kept free of heavy imports: the Client (and with it pydantic and the store) is
imported only when a command actually needs it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from stackyard.cli.output import FORMATS

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.client.core import Unset

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def get_client() -> Client:
    """The Client for this invocation, made once and kept on the click context."""
    ctx = click.get_current_context()
    client: Client | None = ctx.meta.get("stackyard.client")
    if client is None:
        from stackyard.client import Client

        client = ctx.meta["stackyard.client"] = Client()
    return client


def warn_if_on_command_line(parameter: str, instead: str) -> None:
    """A password or key given as an argument is visible to every user of the machine
    (and every process of the same account) in `ps` and /proc/<pid>/cmdline."""
    from click.core import ParameterSource

    context = click.get_current_context()
    if context.get_parameter_source(parameter) == ParameterSource.COMMANDLINE:
        option = "--" + parameter.replace("_", "-")
        click.echo(
            f"Warning: {option} on the command line is visible to other users in `ps`; "
            f"use {instead} instead.",
            err=True,
        )


def _output_attrs(formats: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": click.Choice(formats),
        "default": "table",
        "show_default": True,
        "help": "How to print the result.",
    }


def output_param(formats: tuple[str, ...] = FORMATS) -> click.Option:
    """`--output/-o` for commands built from parameter lists (the generic list)."""
    return click.Option(["--output", "-o"], **_output_attrs(formats))


def output_option(formats: tuple[str, ...] = FORMATS) -> Callable[[F], F]:
    """`--output/-o` for commands written with click's decorators."""
    return click.option("--output", "-o", **_output_attrs(formats))


class ComponentTypeChoice(click.Choice):  # type: ignore[type-arg]
    """A stack component type; `artifact-store` and `artifact_store` both work."""

    def __init__(self) -> None:
        from stackyard.models.enums import StackComponentType

        super().__init__([t.value for t in StackComponentType])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return super().convert(str(value).replace("-", "_"), param, ctx)


COMPONENT_TYPE = ComponentTypeChoice()

yes_option = click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")


def stdin_is_terminal() -> bool:
    """Whether someone can answer a prompt (click's test runner swaps sys.stdin)."""
    return sys.stdin.isatty()


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive action; refuse when nobody can answer.

    Without `--yes`, stdin must be a terminal: a script that forgot `--yes`
    fails loudly instead of hanging or silently deleting.
    """
    if yes:
        return
    if not stdin_is_terminal():
        raise click.UsageError(f"{question} Refusing without confirmation: pass --yes.")
    if not click.confirm(question, default=False):
        raise click.Abort()


def parse_value(text: str) -> Any:
    """`4` → 4, `true` → True, `[1,2]` → list, `{"a":1}` → dict; anything else stays text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_pairs(pairs: tuple[str, ...] | list[str], what: str = "--config") -> dict[str, Any]:
    """`key=value` strings to a dict, with values parsed by `parse_value`."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint=what)
        result[key.strip()] = parse_value(value)
    return result


FREE_OPTIONS = {"ignore_unknown_options": True, "allow_extra_args": True}


def parse_free_options(args: list[str]) -> dict[str, str]:
    """`--KEY=VALUE` or `--KEY VALUE` arguments, as given after the known options: the
    one key=value style of `secret create` and of component configurations."""
    values: dict[str, str] = {}
    rest = list(args)
    while rest:
        token = rest.pop(0)
        if not token.startswith("--") or len(token) < 3:
            raise click.UsageError(f"unexpected argument {token!r}: give values as --KEY=VALUE")
        key, sep, value = token[2:].partition("=")
        if not sep:
            if not rest or rest[0].startswith("--"):
                raise click.UsageError(f"--{key} needs a value: --{key}=VALUE")
            value = rest.pop(0)
        values[key] = value
    return values


def read_mapping(path: str | Path, what: str = "file") -> dict[str, Any]:
    """A YAML or JSON file holding a mapping (YAML is imported only for .yaml files)."""
    file = Path(path)
    try:
        text = file.read_text()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {file}: {exc.strerror}", param_hint=what) from None
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise click.BadParameter(f"{file} is not valid JSON: {exc}", param_hint=what) from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise click.BadParameter(f"{file} is not valid YAML: {exc}", param_hint=what) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise click.BadParameter(f"{file} must hold a mapping of keys to values", param_hint=what)
    return data


def config_options(func: F) -> F:
    """`--config key=value ...` and `--config-file file.yaml`, merged by `read_config`."""
    func = click.option(
        "--config-file",
        "-c",
        type=click.Path(dir_okay=False),
        help="A YAML or JSON file with the configuration.",
    )(func)
    return click.option(
        "--config",
        "config_pairs",
        multiple=True,
        metavar="KEY=VALUE",
        help="One configuration value; repeat for more. Values are parsed as JSON if they can be.",
    )(func)


def read_config(
    config_pairs: tuple[str, ...], config_file: str | None, free: list[str] | None = None
) -> dict[str, Any] | None:
    """The file's mapping updated by `--config` pairs, then by `--KEY=VALUE` options
    (values parsed by `parse_value`); None when none was given."""
    if not config_pairs and config_file is None and not free:
        return None
    config = read_mapping(config_file, "--config-file") if config_file else {}
    config.update(parse_pairs(config_pairs))
    config.update({k: parse_value(v) for k, v in parse_free_options(free or []).items()})
    return config


def given(value: T | None) -> T | Unset:
    """A CLI option's value for a Client update: an option left out (None) changes
    nothing (UNSET), rather than clearing the field."""
    from stackyard.client.core import UNSET

    return UNSET if value is None else value
