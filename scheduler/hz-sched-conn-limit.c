#include "hz-sched-conn-limit.h"

typedef struct {
  guint open;          /* connections counted */
  guint rejected;      /* requests rejected since the count was last below the limit */
} AddressCount;

struct _HzConnectionLimit {
  guint max_per_address;
  GHashTable *addresses;  /* address (owned) -> AddressCount (owned) */
};

/* One counted connection, freed with its message. */
typedef struct {
  HzConnectionLimit *limit;  /* a reference */
  char *address;
  gboolean released;         /* the count was given back */
} CountedConnection;

static void
connection_limit_free (HzConnectionLimit *limit)
{
  g_hash_table_destroy (limit->addresses);
}

HzConnectionLimit *
hz_connection_limit_new (guint max_per_address)
{
  HzConnectionLimit *limit = g_rc_box_new0 (HzConnectionLimit);

  limit->max_per_address = max_per_address;
  limit->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return limit;
}

void
hz_connection_limit_unref (HzConnectionLimit *limit)
{
  g_rc_box_release_full (limit, (GDestroyNotify) connection_limit_free);
}

/* Gives back the count of COUNTED once its connection is done. */
static void
release (CountedConnection *counted)
{
  AddressCount *count;

  if (counted->released)
    return;
  counted->released = TRUE;

  count = g_hash_table_lookup (counted->limit->addresses, counted->address);
  if (count == NULL)
    return;
  count->open--;
  if (count->rejected > 0)
    {
      g_message ("%s has %u connections again, below [scheduler] max-connections-per-address;"
                 " %u requests were rejected with too_many_connections", counted->address,
                 count->open, count->rejected);
      count->rejected = 0;
    }
  if (count->open == 0)
    g_hash_table_remove (counted->limit->addresses, counted->address);
}

/* "finished" comes after the response of a request, "disconnected" when a
 * client closes a connection before it sent a whole request. */
static void
on_connection_done (SoupServerMessage *msg,
                    gpointer           data)
{
  release (data);
}

static void
on_message_freed (gpointer  data,
                  GObject  *msg)
{
  CountedConnection *counted = data;

  release (counted);
  hz_connection_limit_unref (counted->limit);
  g_free (counted->address);
  g_free (counted);
}

gboolean
hz_connection_limit_add (HzConnectionLimit *limit,
                         SoupServerMessage *msg)
{
  const char *address = soup_server_message_get_remote_host (msg);
  AddressCount *count;
  CountedConnection *counted;

  /* libsoup 3.2 gives every accepted TCP connection an address. */
  if (address == NULL)
    return TRUE;

  count = g_hash_table_lookup (limit->addresses, address);
  if (count == NULL)
    {
      count = g_new0 (AddressCount, 1);
      g_hash_table_insert (limit->addresses, g_strdup (address), count);
    }

  if (count->open >= limit->max_per_address)
    {
      if (count->rejected == 0)
        g_message ("%s has %u open connections, [scheduler] max-connections-per-address; "
                   "rejecting its further requests with too_many_connections", address,
                   count->open);
      count->rejected++;
      return FALSE;
    }

  count->open++;
  counted = g_new0 (CountedConnection, 1);
  counted->limit = g_rc_box_acquire (limit);
  counted->address = g_strdup (address);
  g_signal_connect (msg, "finished", G_CALLBACK (on_connection_done), counted);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_connection_done), counted);
  g_object_weak_ref (G_OBJECT (msg), on_message_freed, counted);
  return TRUE;
}

guint
hz_connection_limit_count (HzConnectionLimit *limit,
                           const char        *address)
{
  AddressCount *count = g_hash_table_lookup (limit->addresses, address);

  return count != NULL ? count->open : 0;
}
