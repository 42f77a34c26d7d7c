"""InjectWatch: adverse-event reporting and signal detection for botulinum toxin clinics."""

__version__ = "0.1.0"
