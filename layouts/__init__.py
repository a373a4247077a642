"""Dash layer of the cockpit: the app factory, pages (Dash Pages) and components built from view models.

Nothing here is imported by `cockpit/`. Page modules must only be imported by Dash itself, after the app
exists (`create_app` in layouts.app); importing them earlier raises dash.exceptions.PageError.
"""
