"""What the model does not describe: every other resource type keeps its body, so that its
references still take part in the graph."""

from __future__ import annotations

from iac_assist.model.vocabulary import fact, kind

OTHER = kind(
    "other", "A resource of a type the model does not describe (or a data source with a literal secret).",
    fact("attributes", "dict", "the whole evaluated body, for references"),
)
