/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rs-findings"

#include "rs-findings.h"

#include <glib/gi18n.h>
#include <inttypes.h>

char *
rs_findings_format_site (const RsSite *site,
                         const char   *here)
{
  g_autofree char *base = NULL;

  if (!rs_site_is_known (site))
    return NULL;
  if (site->file == NULL && site->module != NULL)
    /* A recorded program without line info there: its place in the binary. */
    return site->function != NULL ? g_strdup_printf ("%s (%s)", site->function, site->module)
                                  : g_strdup (site->module);
  if (site->file == NULL)
    return site->line > 0 ? g_strdup_printf (_("%s, line %d"), site->function, site->line)
                          : g_strdup (site->function);
  if (here != NULL && g_str_equal (site->file, here))
    return g_strdup_printf (_("line %d"), site->line);
  base = g_path_get_basename (site->file);
  return g_strdup_printf ("%s:%d", base, site->line);
}

/* What the loss did, without when: "av_init_packet reset pkt, which held it". */
static char *
loss_cause (const RsEvent *loss)
{
  const char *call = loss->call != NULL ? loss->call : _("a call");

  switch (loss->reason)
    {
    case RS_LOSS_RESET:
      return g_strdup_printf (_("%s reset %s, which held it, without an unref"), call,
                              loss->handle != NULL ? loss->handle : _("the handle"));
    case RS_LOSS_OVERWRITTEN:
      return g_strdup_printf (_("%s wrote over %s, which held it, without an unref"), call,
                              loss->handle != NULL ? loss->handle : _("the handle"));
    case RS_LOSS_UNREACHABLE:
      if (loss->handle == NULL)
        return g_strdup_printf (_("the result of %s was not kept, and never freed"), call);
      if (g_strcmp0 (loss->call, "end") == 0)
        return g_strdup_printf (_("%s went out of scope still holding it, never freed"), loss->handle);
      return g_strdup_printf (_("“%s” made %s point elsewhere; what it held was never freed"),
                              call, loss->handle);
    case RS_LOSS_NONE:
    default:
      return g_strdup_printf (_("%s dropped it without an unref"), call);
    }
}

char *
rs_findings_describe_loss (const RsEvent *loss,
                           guint          step,
                           const char    *here)
{
  g_autofree char *cause = NULL;
  g_autofree char *where = NULL;

  g_return_val_if_fail (loss != NULL, NULL);

  cause = loss_cause (loss);
  where = rs_findings_format_site (&loss->site, here);
  if (where != NULL)
    return g_strdup_printf (_("lost at step %u, %s: %s"), step, where, cause);
  return g_strdup_printf (_("lost at step %u: %s"), step, cause);
}

static const char *
struct_name (gint64 kind)
{
  return kind == RS_HANDLE_FRAME ? "AVFrame" : "AVPacket";
}

/* What Refscope stopped, and why. */
static char *
describe_fault (const RsEvent *event)
{
  const gint64 *v = event->value;
  const char *call = event->call != NULL ? event->call : _("the call");

  switch (event->fault)
    {
    case RS_FAULT_UNINITIALIZED:
      if (event->call != NULL)
        return g_strdup_printf (_("'%s' is used uninitialized: %s would use a garbage pointer"), event->handle, call);
      return g_strdup_printf (_("'%s' is used uninitialized"), event->handle);
    case RS_FAULT_NULL_POINTER:
      return g_strdup_printf (_("%s is NULL: %s would crash; not performed"), event->handle, call);
    case RS_FAULT_USE_AFTER_FREE:
      return g_strdup_printf (_("use after free: '%s' points to the %s freed on line %d; %s would use freed memory"),
                              event->handle, struct_name (v[1]), (int) v[0], call);
    case RS_FAULT_DOUBLE_FREE:
      return g_strdup_printf (_("double free: '%s' points to the %s already freed on line %d"),
                              event->handle, struct_name (v[1]), (int) v[0]);
    case RS_FAULT_NULL_ARGUMENT:
      return g_strdup_printf (_("argument %d of %s is NULL: it would crash"), (int) v[0], call);
    case RS_FAULT_TOO_BIG:
      if (v[0] > 0)
        return g_strdup_printf (_("refused: %s would allocate %" PRId64 " bytes, over the limit of %" PRId64
                                  " bytes; not attempted"), call, (int64_t) v[0], (int64_t) v[1]);
      return g_strdup_printf (_("refused: %s would allocate more than %" PRId64 " bytes; not attempted"),
                              call, (int64_t) v[1]);
    case RS_FAULT_NEGATIVE:
      return g_strdup_printf (_("%s: negative %s %" PRId64 "; not performed"), call, event->field, (int64_t) v[0]);
    case RS_FAULT_HOLDS_BUFFERS:
      return g_strdup_printf (_("'%s' holds buffers: changing %s->%s now would make its fields disagree with "
                                "them (call av_frame_unref first); not performed"),
                              event->handle, event->handle, event->field);
    case RS_FAULT_NOT_A_LAYOUT:
      return g_strdup_printf (_("%s->channel_layout: %#" PRIx64 " is not a channel layout"),
                              event->handle, (uint64_t) v[0]);
    case RS_FAULT_OUT_OF_RANGE:
      if (event->handle != NULL)
        return g_strdup_printf (_("refused: %s->%s = %" PRId64 " is out of range (%" PRId64 " to %" PRId64
                                  "); not performed"), event->handle, event->field,
                                (int64_t) v[0], (int64_t) v[1], (int64_t) v[2]);
      return g_strdup_printf (_("%s[%" PRId64 "] is out of range (%" PRId64 " to %" PRId64 ")"),
                              event->field, (int64_t) v[0], (int64_t) v[1], (int64_t) v[2]);
    case RS_FAULT_NOT_AN_INT:
      return g_strdup_printf (_("%" PRId64 " does not fit in an int"), (int64_t) v[0]);
    case RS_FAULT_OUT_OF_BOUNDS:
      return g_strdup_printf (_("out of bounds: %s of %" PRId64 " bytes at offset %" PRId64 " of %s, which has %"
                                PRId64 " bytes; not performed"), call, (int64_t) v[0], (int64_t) v[1],
                              event->handle, (int64_t) v[2]);
    case RS_FAULT_ARITHMETIC:
      return g_strdup (event->field);
    case RS_FAULT_NONE:
    default:
      return g_strdup (event->message != NULL ? event->message : _("the call failed"));
    }
}

char *
rs_findings_describe_event (const RsEvent *event,
                            guint          step,
                            const char    *here)
{
  g_return_val_if_fail (event != NULL, NULL);

  switch (event->kind)
    {
    case RS_EVENT_ERROR:
      return describe_fault (event);
    case RS_EVENT_WARNING:
      return g_strdup (event->message);
    case RS_EVENT_LOST:
      return rs_findings_describe_loss (event, step, here);
    case RS_EVENT_LEAKED:
      if (event->handle != NULL || event->call != NULL)
        {
          g_autofree char *cause = loss_cause (event);
          return g_strdup_printf (_("a packet or frame leaked: %s"), cause);
        }
      return NULL;
    case RS_EVENT_UNSAFE_WRITE:
      return g_strdup_printf (_("%s into %s: the buffer has %d references, so it is not writable; "
                                "every other holder sees the change too (make it writable first)"),
                              event->call, event->handle, event->count);
    case RS_EVENT_ALLOCATED:
    case RS_EVENT_FREED:
    case RS_EVENT_OBSERVED:
    case RS_EVENT_UNOBSERVED:
    default:
      return NULL;
    }
}

/* `bytes`: the size as a count of bytes, else in units. Steps are
 * numbered as people count them (RS_STEP_NUMBER), here as in the window. */
static char *
describe_leak (const RsLeak *leak,
               const char   *here,
               gboolean      bytes)
{
  g_autofree char *born = NULL;
  g_autofree char *what = NULL;
  g_autofree char *size = NULL;
  GString *text;

  g_return_val_if_fail (leak != NULL, NULL);

  born = rs_findings_format_site (&leak->born_site, here);
  if (leak->kind == RS_LEAK_HANDLE)
    {
      const char *kind = leak->handle_kind == RS_HANDLE_PACKET ? "AVPacket" : "AVFrame";

      if (leak->orphaned)
        {
          RsEvent loss = { .kind = RS_EVENT_LEAKED, .handle = leak->lost_handle, .call = leak->lost_call,
                           .reason = leak->lost_reason, .site = leak->lost_site };
          g_autofree char *cause = loss_cause (&loss);
          g_autofree char *where = rs_findings_format_site (&leak->lost_site, here);

          return where != NULL ? g_strdup_printf (_("a packet or frame leaked at step %u, %s: %s"),
                                                  RS_STEP_NUMBER (leak->lost_step), where, cause)
                               : g_strdup_printf (_("a packet or frame leaked at step %u: %s"),
                                                  RS_STEP_NUMBER (leak->lost_step), cause);
        }
      if (leak->handle == NULL)
        return g_strdup_printf (_("an %s was never freed"), kind);
      if (born != NULL)
        return g_strdup_printf (_("%s %s was never freed (created at %s)"), kind, leak->handle, born);
      return g_strdup_printf (_("%s %s was never freed"), kind, leak->handle);
    }

  size = bytes ? g_strdup_printf (_("%" PRIu64 " bytes"), (guint64) leak->size) : g_format_size (leak->size);
  what = born != NULL
    ? g_strdup_printf (_("buffer %" PRIu64 " (%s, %s, created by %s at %s, step %u)"),
                       leak->buffer, _(rs_buffer_kind_to_words (leak->buffer_kind)), size, leak->born_call, born,
                       RS_STEP_NUMBER (leak->born))
    : g_strdup_printf (_("buffer %" PRIu64 " (%s, %s, created by %s in step %u)"),
                       leak->buffer, _(rs_buffer_kind_to_words (leak->buffer_kind)), size, leak->born_call,
                       RS_STEP_NUMBER (leak->born));
  text = g_string_new (what);
  if (leak->handle != NULL)
    g_string_append_printf (text, _(" leaked: held by %s, which was never freed"), leak->handle);
  else if (leak->orphaned)
    {
      RsEvent loss = { .kind = RS_EVENT_LOST, .handle = leak->lost_handle, .call = leak->lost_call,
                       .reason = leak->lost_reason, .site = leak->lost_site };
      g_autofree char *how = rs_findings_describe_loss (&loss, RS_STEP_NUMBER (leak->lost_step), here);

      g_string_append_printf (text, g_dngettext (NULL, " leaked: %d reference %s", " leaked: %d references %s",
                                                 leak->lost), leak->lost, how);
    }
  else
    g_string_append_printf (text, g_dngettext (NULL, " leaked: %d reference never released",
                                               " leaked: %d references never released", leak->refcount),
                            leak->refcount);
  return g_string_free (text, FALSE);
}

char *
rs_findings_describe_leak (const RsLeak *leak,
                           const char   *here)
{
  g_return_val_if_fail (leak != NULL, NULL);
  return describe_leak (leak, here, TRUE);
}

char *
rs_findings_describe_leak_for_window (const RsLeak *leak,
                                      const char   *here)
{
  g_return_val_if_fail (leak != NULL, NULL);
  return describe_leak (leak, here, FALSE);
}
