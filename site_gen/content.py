"""The loading stage's former home, kept for its importers: the code is in `loading/`."""
from __future__ import annotations

from .fields import ATTENDEES, ITEM, MEETING
from .loading import ContentLoader, load_archive
from .loading.meetings import EMAIL_RE, PHONE_RE, FrontMatterProblem, front_matter

MEETING_KEYS = MEETING.keys
ATTENDEE_KEYS = ATTENDEES.keys
ITEM_KEYS = ITEM.keys

__all__ = ["ATTENDEE_KEYS", "EMAIL_RE", "ITEM_KEYS", "MEETING_KEYS", "PHONE_RE", "ContentLoader", "FrontMatterProblem",
           "front_matter", "load_archive"]
