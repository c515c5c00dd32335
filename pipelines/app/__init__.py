"""The application layer: the regiobench run (Dagster in-process), its fast path, the write lock, failure causes, the CLI."""
