"""Stacks at run time: flavors, component implementations and the live `Stack`."""
