"""The sections `stackyard --help` groups commands under; a command module names the
section of each command it adds at the top level (its `TOP_LEVEL`)."""

from __future__ import annotations

PROJECT = "Project"
STACKS = "Stacks"
PIPELINES = "Pipelines and artifacts"
ADMIN = "Administration"
SERVER = "Server"
SECTIONS = (PROJECT, STACKS, PIPELINES, ADMIN, SERVER)
