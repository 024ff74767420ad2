"""The resident server that keeps swapgen imported for commands run once per patch."""
