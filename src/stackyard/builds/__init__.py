"""Pipeline builds: the container image each step runs in, described, checksummed,
and (with a Docker daemon and an image builder in the stack) built and pushed."""
