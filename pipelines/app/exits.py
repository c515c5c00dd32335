"""The exit codes of ``regiobench`` (shared by the CLI and the run, so neither imports the other)."""

EXIT_OK = 0
EXIT_FAILED = 1  # the run could not publish
EXIT_REJECTED = 2  # --strict and a file was rejected (nothing published)
EXIT_LOCKED = 3  # another run (or a process holding the warehouse open) kept it past the timeout
