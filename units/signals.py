"""Signals units sends so that apps above it can react without units importing them."""

from django.dispatch import Signal

# Sent by `services.role_grant` / `services.role_remove` inside their transaction, after the audited
# change: actor, person, unit, role, granted (True for a grant, False for a removal). notifications
# tells the person (its apps.py).
role_changed = Signal()
