"""Running the bot without Telegram: the local Bot API emulator and the sandbox around it."""
