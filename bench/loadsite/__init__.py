"""Settings and URLs for the load benchmark: the product, a bare view and a server-time header."""
