"""The ASEM Sustainable Connectivity example: a four-level index built the JRC way."""
