"""What decides the gate beyond the findings: suppressions, baselines, configuration, and whom to trust for each."""
