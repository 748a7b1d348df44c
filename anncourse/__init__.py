"""anncourse."""
