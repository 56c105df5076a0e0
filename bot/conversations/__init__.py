"""Conversations: what a person is in the middle of saying, stored so it survives a restart."""
