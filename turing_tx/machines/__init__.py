"""Turing machines: the machine, the reference simulator, the one-way normal form, file formats, machine
JSON and the library."""
