"""Fixes: the smallest safe edit to the source that makes a control pass (issue 23).

The pipeline: a policy declares what its fix changes on the model; a front end's editor turns
that into text edits of the files where the values are set; ``apply`` checks and applies them."""
