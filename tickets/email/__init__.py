"""The email channel: branded notifications out, email-to-ticket in, threading, loop safety.

Modules: parsing (raw message to ParsedEmail, a package), addresses (who we are, header
hygiene), tokens (reply tokens), rendering (templates), outbound (one mail to one recipient),
notifications (events -> mails), ingest (the one inbound service), routing (which tenant a
piped mail is for), safety (rate limits, bounces), imap (mailbox polling), webhooks (ESP
inbound), tasks (django-q2 entry points), crypto (secrets). Its models live in
tickets/models/email.py (one migration history with the rest of the app).
"""
