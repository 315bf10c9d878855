"""A helper module: its name starts with "_", so it is loaded only when a policy module imports it."""

PREFIX = "acme-"
