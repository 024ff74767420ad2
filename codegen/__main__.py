"""``python -m codegen`` runs the swapgen command line."""

from codegen.cli import console

console()
