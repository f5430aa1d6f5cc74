"""The site's page kinds, one module each; render.py lists them (KINDS) and applies what they yield."""
