"""The published constructions, one compiler module each, behind one protocol (:mod:`.protocol`), found by name
(:mod:`.registry`) and verified in lockstep with the simulator (:mod:`.lockstep`, :mod:`.runs`)."""
