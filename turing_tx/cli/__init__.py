"""The ``turing-tx`` command line: :mod:`.main` builds the parser; one module per subcommand family."""
