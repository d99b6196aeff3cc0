"""Helpers to look at agent events."""


def event_types(events):
    return [event["type"] for event in events]


def by_type(events, kind):
    return [event for event in events if event["type"] == kind]
