"""Synthetic demo clinic chain: generator, planted problems and the `demo` command."""
