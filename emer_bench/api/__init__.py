"""The typed contracts that connect tasks, adapters, records and scorers."""
