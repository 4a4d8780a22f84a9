"""Fupin (扶贫): an information system for targeted poverty alleviation."""
