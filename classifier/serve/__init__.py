"""The intake page and JSON API (`complaints serve`): suggest themes, record the officer's decision."""

from classifier.serve.app import create_app, run

__all__ = ["create_app", "run"]
