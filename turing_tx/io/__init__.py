"""Low-level input and output every layer uses: atomic writes, strict JSON, exact rational text, bounded text files."""
