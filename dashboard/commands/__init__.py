"""Small command implementations that belong to no larger module."""
