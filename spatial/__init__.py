"""Pure spatial analysis: CRS handling, coordinate shifts, areas and partitions.

Nothing in this package reads files, talks to a network or imports streamlit.
"""
