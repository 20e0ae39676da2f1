"""`python -m stackyard.server`: run a server for deployment (see `stackyard server --help`)."""

from stackyard.server.cli_commands import server

if __name__ == "__main__":
    server(prog_name="python -m stackyard.server")
