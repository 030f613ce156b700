"""lostfound: found property and good deeds for the police stations of a city."""

__version__ = "0.1.0"
