"""Reading the scanned tree: which files are IaC, confined to the scanned root, and where each JSON value sits."""
