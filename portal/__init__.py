"""The customer portal at the tenant host's root: accounts, KB entry, tickets, satisfaction."""
