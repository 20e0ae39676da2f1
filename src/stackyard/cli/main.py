"""The `stackyard` command.

The root group knows its commands only by name, short help and where they live
(`COMMANDS`); a command's module is imported when that command runs. So
`stackyard --help` and shell completion import click and nothing else of
weight, and `stackyard stack list` pays only for stacks.

Shell completion (bash; use zsh_source / fish_source for other shells):

    eval "$(_STACKYARD_COMPLETE=bash_source stackyard)"
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import click

from stackyard import __version__
from stackyard.cli.commands import AREA_COMMANDS
from stackyard.cli.sections import PIPELINES, SECTIONS, SERVER, STACKS
from stackyard.models.enums import StackComponentType

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

SERVER_HINT = "install the server extra: pip install 'stackyard[server]'"


class Entry:
    """Where a command lives: `module:attribute` (relative to stackyard.cli unless
    dotted from `stackyard.`); with `args`, the attribute is a factory called with them.
    `optional` commands come from an extra that may not be installed.

    A plain class: this module is on every invocation's path, dataclasses are not free.
    """

    __slots__ = ("args", "help", "optional", "section", "target")

    def __init__(
        self,
        target: str,
        help: str,
        section: str,
        args: tuple[str, ...] = (),
        optional: bool = False,
    ) -> None:
        self.target, self.help, self.section = target, help, section
        self.args, self.optional = args, optional


# what the command modules of this package add (generated from their `TOP_LEVEL`), the
# groups of each component type, and the commands of other packages
COMMANDS: dict[str, Entry] = {
    **{name: Entry(*entry) for name, entry in AREA_COMMANDS.items()},
    **{
        t.value.replace("_", "-"): Entry(
            "stacks:type_group",
            f"Manage {t.value.replace('_', ' ')} components.",
            STACKS,
            args=(t.value,),
        )
        for t in StackComponentType
    },
    "scheduler": Entry(
        "stackyard.scheduler.cli:scheduler", "Run due schedules without a server.", PIPELINES
    ),
    "runner": Entry(
        "stackyard.runner.cli:runner", "Execute runs of templates and schedules.", PIPELINES
    ),
    **{
        name: Entry(f"stackyard.server.cli_commands:{name}", text, SERVER, optional=True)
        for name, text in (
            ("up", "Start a local stackyard server."),
            ("down", "Stop the local stackyard server."),
            ("login", "Connect this client to a stackyard server."),
            ("logout", "Go back to the local store."),
            ("server", "Manage the stackyard server."),
        )
    },
}


def _unavailable(name: str, reason: str) -> click.Command:
    """Stands in for a command whose extra is missing: says so instead of crashing."""

    def run(args: tuple[str, ...]) -> None:
        raise click.ClickException(f"'stackyard {name}' is not available ({reason}); {SERVER_HINT}")

    return click.Command(
        name,
        callback=run,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=f"Not available: {SERVER_HINT}.",
    )


def load(name: str, entry: Entry) -> click.Command:
    module_name, _, attr = entry.target.partition(":")
    if not module_name.startswith("stackyard."):
        module_name = f"stackyard.cli.{module_name}"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if not entry.optional:
            raise
        return _unavailable(name, str(exc))
    if not entry.optional:
        found: Any = getattr(module, attr)
        command: click.Command = found(*entry.args) if entry.args else found
        return command
    # An extra's module may name its command objects differently: match by command name.
    candidates = [getattr(module, attr, None), *vars(module).values()]
    for candidate in candidates:
        if isinstance(candidate, click.Command) and candidate.name == name:
            return candidate
    return _unavailable(name, f"{module_name} has no command {name!r}")


def _one_line(exc: BaseException) -> str:
    from stackyard.exceptions import StackyardError

    text = str(exc) if isinstance(exc, StackyardError) else f"{type(exc).__name__}: {exc}"
    text = "; ".join(line.strip() for line in text.splitlines() if line.strip())
    if not isinstance(exc, StackyardError):
        text += " (run with --debug for the traceback)"
    return text


class LazyGroup(click.Group):
    """A group of commands imported on first use, with errors shown as one line."""

    def __init__(self, *args: Any, entries: dict[str, Entry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.entries, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.entries.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        return load(cmd_name, entry)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        known = name in self.entries or super().get_command(ctx, name) is not None
        if name and not known and not name.startswith("-") and not ctx.resilient_parsing:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Help from the registry, grouped by section, without importing any command."""
        for section in SECTIONS:
            rows = [(n, e.help) for n, e in self.entries.items() if e.section == section]
            if rows:
                with formatter.section(section):
                    formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        items = [
            CompletionItem(name, help=entry.help)
            for name, entry in sorted(self.entries.items())
            if name.startswith(incomplete)
        ]
        return items + click.Command.shell_complete(self, ctx, incomplete)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click reports these itself (a closed pipe, e.g. `| head`, quietly)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(_one_line(exc)) from exc


@click.group(
    cls=LazyGroup,
    entries=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog='Shell completion: eval "$(_STACKYARD_COMPLETE=bash_source stackyard)" '
    "(zsh_source, fish_source for other shells).",
)
@click.option(
    "--debug",
    is_flag=True,
    envvar="STACKYARD_DEBUG",
    help="Show full tracebacks instead of one-line errors.",
)
@click.version_option(__version__, "--version", prog_name="stackyard")
def cli(debug: bool) -> None:
    """stackyard: pipelines of Python steps on a stack, every run recorded.

    Every list command takes filters named after fields (a value may carry an
    operator: contains:, startswith:, gte:, oneof:["a","b"] ...), --sort-by,
    --page, --size and --output table|json|yaml|csv.
    """


def main() -> None:
    """Console entry point (`stackyard`)."""
    cli(prog_name="stackyard")


if __name__ == "__main__":
    main()
