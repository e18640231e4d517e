"""Examples built on Greenlight's public API."""
