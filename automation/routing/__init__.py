"""Smart assignment: strategies (`selection`), settings and state (`models`), the router
(`services`), what triggers it (`subscribers`)."""
