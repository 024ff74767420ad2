"""``python -m codegen`` runs the swapgen command line."""

from codegen.cli import console

if __name__ == "__main__":  # not when a worker process imports the main module again
    console()
