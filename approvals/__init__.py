"""The approval engine: submit → decide at each step → widen sharing up the hierarchy (README.md)."""
