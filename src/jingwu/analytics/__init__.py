"""analytics — reviews (daily/weekly/monthly), KPIs, hotspots, beat design."""
