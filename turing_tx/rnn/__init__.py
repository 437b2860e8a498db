"""Rational σ-RNNs: the network and its reference runner, and the RNN JSON format."""
