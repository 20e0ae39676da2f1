"""Small helpers shared across stackyard that carry no heavy dependencies."""
