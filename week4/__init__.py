"""week4: the course package (data loading, the `week4` CLI and the tested lecture demos)."""

__version__ = "0.1.0"
