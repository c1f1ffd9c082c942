/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * rs-preload-map.c: an open-addressing hash map from nonzero uintptr_t
 * keys to pointers (linear probing, deletion by backward shift), and the
 * allocation helpers of the recorder. No GLib in a preloaded library.
 */
#include "rs-preload-private.h"

#include <stdlib.h>
#include <string.h>

static size_t
slot_of (uintptr_t key,
         size_t    capacity)
{
  uint64_t h = (uint64_t) key;

  /* Pointers are aligned and ids sequential: mix the bits (murmur3's finalizer). */
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return (size_t) h & (capacity - 1);
}

void *
rs_map_lookup (const RsMap *map,
               uintptr_t    key)
{
  if (map->capacity == 0)
    return NULL;

  for (size_t i = slot_of (key, map->capacity);; i = (i + 1) & (map->capacity - 1))
    {
      if (map->keys[i] == key)
        return map->values[i];
      if (map->keys[i] == 0)
        return NULL;
    }
}

static bool
rehash (RsMap  *map,
        size_t  capacity)
{
  uintptr_t *keys = calloc (capacity, sizeof *keys);
  void **values = calloc (capacity, sizeof *values);

  if (keys == NULL || values == NULL)
    {
      free (keys);
      free (values);
      return false;
    }

  for (size_t i = 0; i < map->capacity; i++)
    {
      size_t j;

      if (map->keys[i] == 0)
        continue;
      for (j = slot_of (map->keys[i], capacity); keys[j] != 0; j = (j + 1) & (capacity - 1))
        ;
      keys[j] = map->keys[i];
      values[j] = map->values[i];
    }

  free (map->keys);
  free (map->values);
  map->keys = keys;
  map->values = values;
  map->capacity = capacity;
  return true;
}

bool
rs_map_insert (RsMap     *map,
               uintptr_t  key,
               void      *value)
{
  size_t i;

  if ((map->n + 1) * 4 > map->capacity * 3 &&
      !rehash (map, map->capacity ? map->capacity * 2 : 64))
    return false;

  for (i = slot_of (key, map->capacity); map->keys[i] != 0; i = (i + 1) & (map->capacity - 1))
    if (map->keys[i] == key)
      {
        map->values[i] = value;
        return true;
      }

  map->keys[i] = key;
  map->values[i] = value;
  map->n++;
  return true;
}

void *
rs_map_remove (RsMap     *map,
               uintptr_t  key)
{
  size_t mask = map->capacity - 1;
  size_t i, j;
  void *value;

  if (map->capacity == 0)
    return NULL;

  for (i = slot_of (key, map->capacity); map->keys[i] != key; i = (i + 1) & mask)
    if (map->keys[i] == 0)
      return NULL;

  value = map->values[i];
  map->n--;

  /* Backward shift: move later entries of the run into the hole when their
   * home slot does not lie cyclically in (hole, their position]. */
  for (j = (i + 1) & mask; map->keys[j] != 0; j = (j + 1) & mask)
    {
      size_t home = slot_of (map->keys[j], map->capacity);

      if (((j - home) & mask) >= ((j - i) & mask))
        {
          map->keys[i] = map->keys[j];
          map->values[i] = map->values[j];
          i = j;
        }
    }
  map->keys[i] = 0;
  map->values[i] = NULL;
  return value;
}

void
rs_map_clear (RsMap *map)
{
  free (map->keys);
  free (map->values);
  memset (map, 0, sizeof *map);
}

void *
rs_alloc (size_t size)
{
  void *p = calloc (1, size);

  if (p == NULL)
    rs_stop ();
  return p;
}

/* Makes room for `need` items in `array` (of `*capacity` items); returns
 * the array (never NULL), or NULL when out of memory (then recording stops;
 * the old array is untouched). */
void *
rs_grow (void   *array,
         size_t *capacity,
         size_t  need,
         size_t  item)
{
  size_t capacity_new;
  void *p;

  /* Never NULL on success, even for nothing. */
  if (need == 0)
    need = 1;
  if (need <= *capacity && array != NULL)
    return array;

  capacity_new = *capacity ? *capacity : 8;
  while (capacity_new < need)
    capacity_new *= 2;
  p = realloc (array, capacity_new * item);
  if (p == NULL)
    {
      rs_stop ();
      return NULL;
    }
  *capacity = capacity_new;
  return p;
}

char *
rs_strdup (const char *s)
{
  char *copy = s ? strdup (s) : NULL;

  if (s != NULL && copy == NULL)
    rs_stop ();
  return copy;
}
