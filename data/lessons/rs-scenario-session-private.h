/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-scenario-session-private.h: the scenario session's state, shared by
 * its layers, each calling only the ones below it: what statements read
 * and report through (rs-scenario-state.c), the libav calls
 * (rs-scenario-libav.c), the statements (rs-scenario-run.c), and stepping
 * and observation (rs-scenario-session.c, which hands what each step
 * touched to rs-scenario-observer.c).
 */
#pragma once

#include "rs-scenario-observer-private.h"
#include "rs-scenario-peek-private.h"
#include "rs-scenario-session.h"

G_BEGIN_DECLS

/* One AVPacket or AVFrame struct the scenario allocated. Kept (never reused)
 * after it is freed, so that a dangling pointer to it is recognized. */
typedef struct {
  RsScenarioType  type;       /* PACKET or FRAME */
  AVPacket       *packet;     /* owned; NULL once freed */
  AVFrame        *frame;      /* owned; NULL once freed */
  int             line;       /* where it was allocated */
  int             freed_line; /* 0 while alive */
  gboolean        lost;       /* alive, but no variable points at it any more */
  /* Kept as variables change, so that a step costs what it changed, not
   * what the program declares: */
  GArray         *holders;    /* int: the in-scope variables pointing at it, ascending; owned, nullable */
  const char     *id;         /* its handle id: their names ("p, q"), interned; NULL without holders */
  int             key;        /* its key in `shown` (its first holder), or -1 */
  int             shown_key;  /* its key in the last snapshot, or -1 */
  gboolean        touched;    /* in `touched`: the step may have changed it */
} Object;

typedef struct {
  gboolean  in_scope;
  gboolean  initialized;
  gint64    number;   /* int variables */
  Object   *object;   /* pointer variables; NULL: a NULL pointer */
} Variable;

/* A reference a call dropped without releasing it (av_init_packet, or a
 * move_ref onto a packet that still held one): lost, what the program
 * leaked. Refscope keeps it so that its buffer stays counted (and its leak
 * reported), then releases it at the end: the process itself stays
 * leak-free. */
typedef struct {
  AVBufferRef *ref;      /* owned */
  guint64      id;       /* its buffer's id when it was dropped */
} Orphan;

struct _RsScenarioSession {
  GObject            parent_instance;

  RsScenarioProgram *program;
  char              *name;
  RsScenarioObserver *observer;   /* NULL when unobserved */
  GPtrArray         *touched;     /* Object*, borrowed: what this step may have changed */
  RsHistory         *history;
  Variable          *variables;   /* one a program variable */
  GPtrArray         *objects;     /* Object*, every struct ever allocated */
  GTree             *shown;       /* first holder -> Object*: the live structs a variable points at */
  GPtrArray         *lost_objects; /* Object*, borrowed: the lost ones, never freed */
  GPtrArray         *orphans;     /* Orphan* */
  /* The lost structs and orphans with a buffer not tracked yet (shared
   * when they were lost: wrapped once theirs is the last reference),
   * in the order lost. The others' references are counted for good: a
   * step does not look at them again. */
  GPtrArray         *pending_lost;    /* Object*, borrowed */
  GPtrArray         *pending_orphans; /* Orphan*, borrowed */
  guint              n_lost_seen;     /* lost_objects and orphans already */
  guint              n_orphans_seen;  /* in the pending arrays or settled */
  GPtrArray         *orphan_arrays; /* plain av_malloc'd arrays a call dropped */
  GArray            *step_statements; /* guint: the statement each step ran */
  guint              next;        /* the next statement to run */
  guint              step;
  guint              last_grow;   /* 1 + the last av_grow_packet statement, or 0 */
  gboolean           finished;
};

/* What one step did, in words. */
typedef struct {
  const char *call;       /* static or owned by the program */
  const char *args;       /* owned by the program, or NULL */
  int         ret;
  Object     *out;        /* the packet or frame the call produced into */
  const AVBuffer *kept_payload; /* out's payload before the call (not new) */
  gboolean    final;
} StepResult;

/* The ret of a call Refscope stopped: a bad pointer, or a refused size. */
#define RS_SCENARIO_RET_FAULT   AVERROR (EFAULT)
#define RS_SCENARIO_RET_REFUSED AVERROR (ERANGE)

/* rs-scenario-state.c: variables, ids, expressions, events. The layers
 * below call only down: state <- libav <- run <- session. */
/* An event of the step in progress, at `statement`'s place in the source.
 * Nothing when unobserved. */
void        _rs_scenario_add_event       (RsScenarioSession         *self,
                                          const RsScenarioStatement *statement,
                                          const RsEvent             *event);
/* Where `statement` is in the source. */
RsSite      _rs_scenario_site            (RsScenarioSession         *self,
                                          const RsScenarioStatement *statement);
/* An RS_EVENT_ERROR of the step in progress: what Refscope stopped
 * (`fault`'s RsFault and fields), at `statement`. */
void        _rs_scenario_fault           (RsScenarioSession         *self,
                                          const RsScenarioStatement *statement,
                                          RsEvent                    fault);
/* The step may have changed `object` (its fields, refs or holders): its
 * handle is read again at the end of the step. Nothing when unobserved. */
void        _rs_scenario_touch           (RsScenarioSession         *self,
                                          Object                    *object);
/* No in-scope variable points at `object`. */
gboolean    _rs_scenario_is_unreachable  (RsScenarioSession         *self,
                                          Object                    *object);
/* Variable `index` points at `object` (NULL: a NULL pointer) from now on. */
void        _rs_scenario_point           (RsScenarioSession         *self,
                                          int                        index,
                                          Object                    *object);
/* Variable `index` comes into scope (uninitialized) or leaves it. */
void        _rs_scenario_set_in_scope    (RsScenarioSession         *self,
                                          int                        index,
                                          gboolean                   in_scope);
/* `object` was just freed: no handle shows it any more. */
void        _rs_scenario_object_freed    (RsScenarioSession         *self,
                                          Object                    *object);
const char *_rs_scenario_variable_name   (RsScenarioSession         *self,
                                          int                        index);
/* RS_HANDLE_PACKET or RS_HANDLE_FRAME. */
RsHandleKind _rs_scenario_handle_kind    (const Object              *object);
/* "AVPacket" or "AVFrame". */
const char *_rs_scenario_struct_name     (const Object              *object);
/* The live object variable `index` points at, or NULL after reporting
 * (an RS_EVENT_ERROR) why `use` cannot go through it. */
Object     *_rs_scenario_dereference     (RsScenarioSession         *self,
                                          const RsScenarioStatement *statement,
                                          int                        index,
                                          const char                *use);
/* Evaluates an expression; FALSE after reporting why it cannot. */
gboolean    _rs_scenario_eval            (RsScenarioSession         *self,
                                          const RsScenarioStatement *statement,
                                          const RsScenarioExpr      *expr,
                                          gint64                    *value);
/* Evaluates an int; FALSE after reporting why it cannot. */
gboolean    _rs_scenario_eval_int        (RsScenarioSession         *self,
                                          const RsScenarioStatement *statement,
                                          const RsScenarioExpr      *expr,
                                          int                       *value);

/* The id of the handle `object` is shown as ("pkt", or "p, q" for aliases),
 * interned; NULL if no in-scope variable points at it. Kept up to date by
 * _rs_scenario_point and _rs_scenario_set_in_scope: costs nothing. */
const char *_rs_scenario_handle_id       (RsScenarioSession         *self,
                                          Object                    *object);
/* The id of the buffer behind `ref`: tracked, or observed in this step or
 * the one before; 0 if unknown or unobserved. */
guint64     _rs_scenario_buffer_id       (RsScenarioSession         *self,
                                          const AVBufferRef         *ref);

/* rs-scenario-libav.c: the libav calls */
/* Runs `call`; *produced is the object an alloc or clone made (or NULL).
 * FALSE when Refscope stopped the call. */
gboolean    _rs_scenario_run_call        (RsScenarioSession         *self,
                                          const RsScenarioStatement *statement,
                                          const RsScenarioCall      *call,
                                          StepResult                *result,
                                          Object                   **produced);

/* rs-scenario-run.c: the statements */
/* Runs statement `index`. */
void        _rs_scenario_run_statement   (RsScenarioSession         *self,
                                          guint                      index,
                                          StepResult                *result);

G_END_DECLS
