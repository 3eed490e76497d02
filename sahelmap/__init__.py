"""sahelmap."""
