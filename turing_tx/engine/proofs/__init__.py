"""The prover: a small trusted core of exact checks (:mod:`.core`) that obligations are discharged with."""
