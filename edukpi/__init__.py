"""The command line (`edukpi`), the settings every part reads, and the staff's read-only SQL shell."""
