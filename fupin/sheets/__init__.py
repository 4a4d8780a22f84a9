"""Excel/CSV exchange in the standard flat sheet (REFERENCE §12): import, export, template, summaries."""
