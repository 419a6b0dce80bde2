"""Platform backends: the only modules that import Open edX code."""
