"""The machine library's files (installed as ``turing_tx.machine_library``; see turing_tx/library.py)."""
