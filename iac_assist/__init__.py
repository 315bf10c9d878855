"""iac-assist: a threat analyzer for infrastructure as code."""

__version__ = "0.1.0"
