-- Named server-side faults armed for a lab scenario (issue 18): `cucm-emu scenario set` writes a
-- row, a running serve reads the rows (fault/board) and applies each fault when it answers, and
-- `scenario clear` removes them. A fault is applied at serve time, never built into the cached
-- files, so no trigger here bumps the cluster epoch or a device's config_version.
--   fault      a name of the catalog (fault/catalog.cpp); a name this build does not know is skipped
--   device     SEP<MAC>, or '' for every device
--   remaining  applications left (NULL: until cleared); a row is deleted when it reaches 0
--   until_unix no longer applied from then on (NULL: no end)
--   params     every parameter of the fault, defaults filled in, as sorted name=value pairs joined
--              by commas ("code=503"; '' for a fault without parameters)
-- AUTOINCREMENT: ids are never reused, so an application a server counted against a row that was
-- since cleared or re-armed cannot count down the new row.
CREATE TABLE armed_fault (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  fault         TEXT NOT NULL,
  device        TEXT NOT NULL DEFAULT '',
  remaining     INTEGER NULL CHECK (remaining IS NULL OR remaining >= 0),
  until_unix    INTEGER NULL,
  params        TEXT NOT NULL DEFAULT '',
  armed_at_unix INTEGER NOT NULL,
  UNIQUE (fault, device)
);
-- A device deleted takes its faults with it: re-added later, it starts clean.
CREATE TRIGGER armed_fault_device_deleted AFTER DELETE ON device BEGIN
  DELETE FROM armed_fault WHERE device = OLD.name;
END;
