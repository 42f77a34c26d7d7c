"""The manager's Trends page: filters, pre-aggregated cells, queries, statistics and chart builders."""
