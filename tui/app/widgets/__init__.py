"""Reusable widgets of the reading app. Widgets ask (post a Message); screens act."""
