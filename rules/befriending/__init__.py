"""Befriending and peer support rules, pure Python (no Django).

- :mod:`rules.befriending.checks`: which dated safeguarding checks a befriender or a peer-group
  lead needs (enhanced DBS, two references, training), read through :mod:`rules.safeguarding`.
- :mod:`rules.befriending.matching`: who cannot befriend a person and why, and the others in an
  explained, deterministic order for the coordinator to choose from. There is no score.
- :mod:`rules.befriending.contacts`: what may be logged on a match on a day, and hours given.
"""
