"""`python -m stackyard`: the same as the `stackyard` command."""

from stackyard.cli.main import main

main()
