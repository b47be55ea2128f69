-- Two trust-list settings (issue 17), as rows so that `cluster show` lists them:
--   itl_signer    itlrecovery (CUCM 12.0 and later: ITLRecovery signs the ITL) or callmanager
--                 (before 12.0: the CallManager certificate signs it) (PROTOCOLS §5.5, §7.1);
--   rollback_prep 0, or 1 for the enterprise parameter "Prepare Cluster for Rollback to pre-8.0":
--                 an ITL with no TFTP and no TVS certificate, so that phones drop their trust.
-- OR IGNORE, as 007: migrations run by position.
INSERT OR IGNORE INTO cluster_setting (key, value) VALUES ('itl_signer', 'itlrecovery');
INSERT OR IGNORE INTO cluster_setting (key, value) VALUES ('rollback_prep', '0');
