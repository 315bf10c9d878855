"""iac-assist: a threat analyzer for infrastructure as code."""

from iac_assist import compiled_methods

__version__ = "0.1.0"

# First, before any of the package's dataclasses is made (compiled_methods.py says why).
compiled_methods.install()
