"""What formgen keeps: the append-only audit trail, and encrypted drafts. No Flask here: the service wires
stores into requests."""
