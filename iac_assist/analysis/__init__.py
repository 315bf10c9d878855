"""The scan: load every input through its front end, normalize, judge with the policies, collect the result."""
