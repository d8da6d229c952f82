"""The `archive` command: the archivist's and curator's interface, and the one place where the
packages are wired together. Each module here holds the commands of one subject; importing them
adds them to the `archive` group.

Exit codes: 0 all done; 1 done, but some inputs failed (each named with its reason); 2 bad usage
or configuration.
"""

from archive.cli import (
    auditing,
    collections,
    exhibitions,
    exporting,
    ingesting,
    items,
    reporting,
    searching,
    serving,
    users,
    withdrawing,
    working,
)
from archive.cli.base import cli

__all__ = [
    "auditing",
    "cli",
    "collections",
    "exhibitions",
    "exporting",
    "ingesting",
    "items",
    "main",
    "reporting",
    "searching",
    "serving",
    "users",
    "withdrawing",
    "working",
]


def main() -> None:
    cli(prog_name="archive")
