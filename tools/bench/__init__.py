"""Measurement scripts: each writes its raw results to results/<script name>.json."""
