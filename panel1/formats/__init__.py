"""Date and time formats per locale (FORMAT_MODULE_PATH): one way to write a date across the
portal, the knowledge base, the desk and Django admin. Templates use the names
("DATE_FORMAT", "DATETIME_FORMAT"), never literal patterns."""
