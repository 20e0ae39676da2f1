"""The CLI imports project modules from the project root or the working directory,
and so does any process that later loads them (a run building its stack)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

FLAVOR = textwrap.dedent(
    """
    from stackyard.orchestrators import BaseOrchestratorConfig, BaseOrchestratorFlavor
    from stackyard.orchestrators.local import LocalOrchestrator


    class ShoutConfig(BaseOrchestratorConfig):
        word: str = "hey"


    class ShoutOrchestrator(LocalOrchestrator):
        def run(self, context):
            print(f"SHOUT {self.config.word}")
            super().run(context)


    class ShoutFlavor(BaseOrchestratorFlavor):
        @property
        def name(self):
            return "shout"

        @property
        def config_class(self):
            return ShoutConfig

        @property
        def implementation_class(self):
            return ShoutOrchestrator
    """
)

PIPELINE = textwrap.dedent(
    """
    from stackyard import pipeline, step


    @step(enable_cache=False)
    def hello() -> int:
        return 1


    @pipeline
    def shouting():
        hello()


    shouting()
    """
)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args], cwd=cwd, capture_output=True, text=True, env=os.environ, timeout=120
    )


def test_flavor_register_imports_from_the_project_root(tmp_path: Path) -> None:
    # the console script, as a user runs it: its sys.path does not hold the working directory
    cli = [str(Path(sys.executable).with_name("stackyard"))]
    project = tmp_path / "proj"
    (project / "myflavors").mkdir(parents=True)
    (project / "scripts").mkdir()
    (project / "myflavors" / "__init__.py").write_text("")
    (project / "myflavors" / "orch.py").write_text(FLAVOR)
    (project / "scripts" / "run_shout.py").write_text(PIPELINE)
    assert _run(*cli, "init", cwd=project).returncode == 0

    registered = _run(*cli, "flavor", "register", "myflavors.orch.ShoutFlavor", cwd=project)
    assert registered.returncode == 0, registered.stderr
    assert "orchestrator flavor 'shout'" in registered.stdout
    for command in (
        ["orchestrator", "register", "loud", "--flavor", "shout", "--config", "word=hello"],
        ["stack", "register", "loud", "-o", "loud", "-a", "default", "--set"],
    ):
        done = _run(*cli, *command, cwd=project)
        assert done.returncode == 0, done.stderr

    # from a subdirectory: the run finds the flavor's module through the project root
    ran = _run(sys.executable, "run_shout.py", cwd=project / "scripts")
    assert ran.returncode == 0, ran.stderr
    assert "SHOUT hello" in ran.stdout

    missing = _run(*cli, "flavor", "register", "nowhere.orch.Flavor", cwd=project)
    assert missing.returncode != 0
    assert "no module named 'nowhere'" in missing.stderr
