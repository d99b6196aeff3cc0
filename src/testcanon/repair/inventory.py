"""Moved to `testcanon.analysis.inventory` (migrate and the lost-test ledger read it too); this
re-export keeps the repair modules of the branches merged beside that move working."""

from testcanon.analysis.inventory import (
                                          TestName,
                                          indent_width,
                                          missing,
                                          names_in_broken,
                                          names_in_source,
                                          names_in_strings,
                                          names_in_tree,
                                          nested_helpers,
                                          uncounted_gone,
)

__all__ = ["TestName", "indent_width", "missing", "names_in_broken", "names_in_source", "names_in_strings",
           "names_in_tree", "nested_helpers", "uncounted_gone"]
