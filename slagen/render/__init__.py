"""Writers that turn the document tree into output files."""
