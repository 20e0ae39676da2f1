"""Experiment trackers: stack components that record tracked steps in a tracking tool.

A step asks for one with `@step(experiment_tracker="<component name>")`; the
stack's experiment tracker then wraps that step's call in a tracking run of its
own (see `base.py` for what every tracker does, `mlflow.py` for MLflow).
"""
