/* Read-only lists of organizations and users for the web UI's pickers
 * and the admin pages (hz-sched-store-directory.c). */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "hz-sched-store.h"

G_BEGIN_DECLS

/* Returns every organization as HzOrganization, in order of id. */
GPtrArray *hz_store_list_organizations (sqlite3 *db,
                                        GError **error);

/* Returns the users (HzUser) of organization ORG_ID, or of every
 * organization when ORG_ID is 0, with role ROLE unless ROLE is NULL, in
 * order of id. Admins outside any organization are listed only when
 * ORG_ID is 0. */
GPtrArray *hz_store_list_users (sqlite3     *db,
                                gint64       org_id,
                                const char  *role,
                                GError     **error);

G_END_DECLS
