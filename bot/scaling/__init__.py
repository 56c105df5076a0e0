"""Several processes serving one bot: the receiver, the workers, leases (docs/scaling.md)."""
