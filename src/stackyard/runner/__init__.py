"""Runners: processes that execute template and schedule runs as the user who asked.

`launch` starts one run's worker process; `process` is the long-running runner
(`stackyard runner start`) that claims runs queued on a server and launches them.
Importing this package is cheap: the CLI's store setup touches it.
"""
