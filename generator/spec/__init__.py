"""The spec: loading with positions, inheritance, the model, and validation."""
