"""From files under data/raw to the staging layer: discovery, reading, validation, loading."""
