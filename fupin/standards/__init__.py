"""Standards as data (issue 13 item 2): versioned rule sets per kind, year and area, whose conditions are
structured (field, operator, value), evaluated for one household with a reason per condition and in bulk
as one database query."""
