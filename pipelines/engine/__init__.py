"""From the staging layer to the marts: indicators, funnel limits, the risk model, verdicts and sentences."""
