"""Shared ground every domain stands on: settings, database, events, errors, geo, clock, i18n."""
