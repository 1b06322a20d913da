"""dailypapers: a self-hostable, community-curated daily feed of research papers."""

__version__ = "0.1.0"
