"""turing-tx: run the "transformers are Turing-complete" proofs as exact, hand-built transformers."""

__version__ = "0.1.0"
