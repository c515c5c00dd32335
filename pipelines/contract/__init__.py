"""The survey's data contract and the analyst-maintained reference data: the facts everything else derives from."""
