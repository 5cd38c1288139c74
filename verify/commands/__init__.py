"""CLI subcommands, one module per area, each a thin adapter over the library."""
