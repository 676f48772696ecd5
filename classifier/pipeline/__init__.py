"""Pipeline: the whole model, its training, saving and loading, labelling a table, evaluation, relabelling."""
