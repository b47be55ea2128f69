-- A counter that moves whenever a cluster setting changes, so caches of files that depend on the
-- settings alone (ITL, CTL, XMLDefault) can tell they are stale.
CREATE TABLE cluster_epoch (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO cluster_epoch (id, version) VALUES (1, 1);
CREATE TRIGGER epoch_setting_inserted AFTER INSERT ON cluster_setting BEGIN
  UPDATE cluster_epoch SET version = version + 1;
END;
CREATE TRIGGER epoch_setting_updated AFTER UPDATE ON cluster_setting BEGIN
  UPDATE cluster_epoch SET version = version + 1;
END;
CREATE TRIGGER epoch_setting_deleted AFTER DELETE ON cluster_setting BEGIN
  UPDATE cluster_epoch SET version = version + 1;
END;
