-- The admin site's roles (docs/admin-api.md): an admin reads and writes; a viewer (a trainee
-- watching the ladder, say) reads every page and changes only its own password. Users made before
-- roles existed stay admins. Set by `cucm-emu admin passwd --role`, checked by the web server on
-- every request, so a change applies to sessions already open.
ALTER TABLE admin_user ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'viewer'));
