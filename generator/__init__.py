"""deployplan: one deployment-plan spec, every artifact and manual generated from it."""

__version__ = "0.1.0"
