"""Readers of real input formats; each returns validated (Geo)DataFrames."""
