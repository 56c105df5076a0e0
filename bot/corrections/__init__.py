"""答题纠错: members report a question they think is wrong; secretaries and admins read the
reports, admins close them. No Telegram here."""
