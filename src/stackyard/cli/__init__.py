"""The `stackyard` command line: see `stackyard.cli.main` for how commands load."""
