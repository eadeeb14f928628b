"""Reports from the store: the snapshot the pages share (:mod:`~geodata.reports.inventory`),
progress and tally (:mod:`~geodata.reports.planning`), the overview
(:mod:`~geodata.reports.overview`), formula-safe exports (:mod:`~geodata.reports.export`) and
whole-store exports (:mod:`~geodata.reports.store_export`)."""
