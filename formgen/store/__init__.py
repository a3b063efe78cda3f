"""What formgen keeps: the append-only audit trail. No Flask here: the service wires stores into requests."""
