"""The `complaints` command line: a thin layer over the library (`classifier.cli.main`)."""
