"""One extension per area: reader commands, admin commands, and the one error handler."""
