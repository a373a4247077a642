"""Dash components built from the view models in cockpit.views."""
