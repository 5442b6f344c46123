"""The physicist QA panel: NEMA IQ, uniform cylinder and the trend of stored results."""
