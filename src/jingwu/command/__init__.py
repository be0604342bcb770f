"""command — incidents, triage, dispatch and the closed loop of the command room."""
