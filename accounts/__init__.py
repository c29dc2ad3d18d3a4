"""The people who run groups on this instance: accounts, roles, sessions and the audit log."""
