"""Dash Pages (registered with dash.register_page when the app imports them)."""
