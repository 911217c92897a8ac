/*
 * down_missing.c - the layout pairs downs with ups and this migration, which changes the schema,
 * has none.
 *
 * Emitted by the down check (lib/down.c). Layouts where downs are optional (goose, Flyway) or
 * absent (plain, Prisma, Drizzle, Atlas) never expect one; see docs/layouts.md.
 */
#include "rule.h"

const struct rs_rule rs_rule_down_missing = {
    .name = "down-missing",
    .cls = RS_CLASS_HYGIENE,
    .severity = RS_SEV_WARNING,
    .summary = "the layout expects a down migration and this migration has none",
    .catches = "A migration that changes the schema, in a layout that pairs a down with every up "
               "(golang-migrate, dbmate, diesel, sqitch, Liquibase), without its down: no "
               "`.down.sql` file, no `-- migrate:down` section, no `down.sql`, no revert script, "
               "no `--rollback` line (`--rollback not required` says so on purpose and is not "
               "reported).",
    .n1_failure = "A rollback stops at this migration (the tool refuses, or golang-migrate "
                  "records the version as rolled back while the schema stays as the up left "
                  "it), and version N-1 runs on version N's schema.",
    .alternative = "Write the down: `rollsafe check --emit-down` prints it when every statement of "
                   "the up has an exact inverse. When the migration cannot be undone, say so in "
                   "the down (a comment) and approve the finding with the reason.",
    .versions = "Not version dependent.",
    .bad = "-- 0007_add_phone.up.sql, and no 0007_add_phone.down.sql\n"
           "ALTER TABLE users ADD COLUMN phone text;",
    .good = "-- 0007_add_phone.down.sql\nALTER TABLE users DROP COLUMN phone;",
};
