"""guidelint: rule-as-code auditing of clinical-trial protocols against regulatory guidelines."""

__version__ = "0.1.0"
