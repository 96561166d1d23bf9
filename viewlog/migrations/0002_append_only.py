"""On PostgreSQL, the view log refuses UPDATE and DELETE: only the retention purge
(``services.view_log_purge``, which sets ``viewlog.purge`` for its own transaction) deletes.

TRUNCATE is left alone: it needs the table owner's rights, and the test runner's flush uses
it. SQLite (the demo) has no such trigger; the code has no update path either way.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION viewlog_recordview_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('viewlog.purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The view log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Entries are removed only by the retention purge (purge_view_log).';
END;
$$;
CREATE TRIGGER viewlog_recordview_append_only
    BEFORE UPDATE OR DELETE ON viewlog_recordview
    FOR EACH STATEMENT EXECUTE FUNCTION viewlog_recordview_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS viewlog_recordview_append_only ON viewlog_recordview;
DROP FUNCTION IF EXISTS viewlog_recordview_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # a literal "%" in the message

    return run


class Migration(migrations.Migration):
    dependencies = [("viewlog", "0001_initial")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
