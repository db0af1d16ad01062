"""One extension per area: reader commands, /reload (admin), /digest, and the one error handler."""
