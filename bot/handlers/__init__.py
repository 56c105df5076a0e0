"""Telegram handlers, one module per feature; ``registry`` wires them and lists the commands."""
