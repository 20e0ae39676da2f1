"""`python -m stackyard.runner start ...`: the runner, without the CLI's other commands."""

from stackyard.runner.cli import runner

if __name__ == "__main__":
    runner(prog_name="python -m stackyard.runner")
