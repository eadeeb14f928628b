"""Stewardship: every write a person makes — imports and corrections with backup, audit and undo
(:mod:`~geodata.stewardship.commits`), editor accounts (:mod:`~geodata.stewardship.accounts`),
planners' goals (:mod:`~geodata.stewardship.goals`) and the demand pool
(:mod:`~geodata.stewardship.pool`)."""
