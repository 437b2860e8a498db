"""The JSON Schemas (draft 2020-12) of the documents turing-tx reads and writes.

``model.schema.json`` (model JSON), ``rnn.schema.json`` (RNN JSON), and the reports
``run-report.schema.json`` (``run --json``), ``proof-report.schema.json`` (``prove --json``) and
``ablation-report.schema.json`` (``ablate``'s report.json). They are data, read with
:mod:`importlib.resources` by :mod:`turing_tx.io.schema`; ``docs/formats.md`` says what they check and
what the readers check beyond them.
"""
