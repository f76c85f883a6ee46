"""Bundled examples of riskcore, installed as ``riskcore_examples``.

See :func:`riskcore.examples.example_path`.
"""
