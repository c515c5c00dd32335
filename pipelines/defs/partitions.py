"""The wave partitions of the raw and staging layers.

Dynamic: a new year's folder under data/raw becomes a partition when the sensor
(or the CLI) sees it, without a code change.
"""

import dagster as dg

WAVES = dg.DynamicPartitionsDefinition(name="wave")
