"""identity — officers, teams, roles and permissions, login, tokens, the audit log."""
