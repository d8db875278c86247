"""Template tags and filters of the essays app."""
