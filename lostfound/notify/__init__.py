"""Senders of owners' notifications, one per channel, all behind :class:`Sender`."""
