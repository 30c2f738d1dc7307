/* keyframe.c -- keyframes: copies of the mutable state that share what did
 * not change.
 *
 * sim_seek restores the nearest keyframe at or before its target and replays
 * from there, so a seek costs a restore plus up to one keyframe interval of
 * replay. With 100,000 live tasks the state is about 25 MB: when every
 * keyframe was a whole copy, memory allowed one every million steps, and a
 * seek replayed half a million steps on average.
 *
 * So a keyframe cuts each plain table of the state (STATE_TABLES) into
 * chunks of KEY_CHUNK bytes, and each chunk is counted by reference: a new
 * keyframe takes the chunk of the keyframe it is given as a reference (the
 * one before it) when the bytes are the same, and copies only the chunks
 * that changed. A fan-out of 100,000 tasks changes a tenth to a quarter of
 * its chunks in 131,072 steps. The comparison reads the whole state once per
 * keyframe, which is why sim.c keeps keyframes some steps apart even when
 * little changes. The small parts (the ready ring, made linear; the
 * objects; the slot free lists) are copied whole.
 *
 * Restoring writes back into the live tables every chunk that differs from
 * what they hold, reusing their buffers (growing them when needed, so a
 * failure changes nothing). Struct padding is compared too: at worst a
 * chunk is taken as changed when it is not. The
 * arenas (strings, lists, exceptions) only grow, so a keyframe keeps their
 * lengths and a restore truncates them.
 *
 * Ownership: a Keyframe holds one reference to each of its chunks and owns
 * its small copies; keyframe__free gives them back. A Keyframe's SimState
 * holds the scalars and counts; its plain table pointers are NULL.
 *
 * Depends on: core_int.h, mem.h.  Used by: sim.c.
 */
#include <string.h>

#include "core_int.h"

#define KEY_CHUNK 4096u

struct KeyChunk {
    uint32_t refs;
    uint32_t len;
    unsigned char data[];
};

/* The state's plain tables (field, count, capacity), in KeyTable order:
 * what a keyframe chunks, counts, frees and puts back. The ready ring,
 * slots_free and objs have their own rules beside each use of this list. */
#define STATE_TABLES(X)                                                             \
    X(tasks, ntasks, tasks_cap) X(futs, nfuts, futs_cap)                            \
    X(cbs, ncbs, cbs_cap) X(frames, nframes, frames_cap) X(slots, nslots, slots_cap) \
    X(timers, ntimers, timers_cap) X(heap, nheap, heap_cap)                         \
    X(wnodes, nwnodes, wnodes_cap) X(inodes, ninodes, inodes_cap)                   \
    X(gathers, ngathers, gathers_cap) X(gchild, ngchild, gchild_cap)                \
    X(groups, ngroups, groups_cap) X(gnodes, ngnodes, gnodes_cap)                   \
    X(touts, ntouts, touts_cap) X(xkept, nxkept, xkept_cap)                          \
    X(acs, nacs, acs_cap) X(acitems, nacitems, acitems_cap) X(acq, nacq, acq_cap)

#define COUNT_TABLE(field, n, cap) +1
enum { NTABLES = 0 STATE_TABLES(COUNT_TABLE) };
#undef COUNT_TABLE
_Static_assert(NTABLES == KEY_NTABLES, "KEY_NTABLES counts STATE_TABLES");

static void chunk_drop(KeyChunk *c)
{
    if (c && --c->refs == 0)
        mem_free(c);
}

static void table_drop(KeyTable *t)
{
    for (uint32_t i = 0; i < t->nc; i++)
        chunk_drop(t->c[i]);
    mem_free(t->c);
    t->c = NULL;
    t->nc = 0;
}

/* Cuts len bytes at p into chunks, sharing ref's chunk where the bytes are
 * the same. Adds the bytes it allocated to *fresh, and those of them in
 * chunks that ref has too (not grown) to *changed. False when out of memory
 * (t then holds nothing). */
static bool table_take(KeyTable *t, const void *p, size_t len, const KeyTable *ref, uint64_t *fresh,
                       uint64_t *changed)
{
    t->c = NULL;
    t->nc = 0;
    if (len == 0)
        return true;
    uint32_t nc = (uint32_t)((len + KEY_CHUNK - 1) / KEY_CHUNK);
    t->c = mem_malloc((size_t)nc * sizeof *t->c);
    if (!t->c)
        return false;
    *fresh += (uint64_t)nc * sizeof *t->c;
    const unsigned char *b = p;
    for (uint32_t i = 0; i < nc; i++) {
        size_t off = (size_t)i * KEY_CHUNK;
        uint32_t n = (uint32_t)(len - off < KEY_CHUNK ? len - off : KEY_CHUNK);
        KeyChunk *old = ref && i < ref->nc ? ref->c[i] : NULL;
        if (old && old->len == n && memcmp(old->data, b + off, n) == 0) {
            old->refs++;
            t->c[i] = old;
        } else {
            KeyChunk *c = mem_malloc(sizeof *c + n);
            if (!c) {
                t->nc = i;
                table_drop(t);
                return false;
            }
            c->refs = 1;
            c->len = n;
            memcpy(c->data, b + off, n);
            t->c[i] = c;
            *fresh += sizeof *c + n;
            if (old) /* (a chunk beyond ref's is growth) */
                *changed += sizeof *c + n;
        }
        t->nc = i + 1;
    }
    return true;
}

/* Writes t's chunks over the live table at dst. A chunk that is the same
 * already is only read: stepping back a few hundred steps finds most of
 * them so, and reading is cheaper than writing (one step back with 100,000
 * live tasks, median 2.3 -> 1.7 ms). */
static void table_put(void *dst, const KeyTable *t)
{
    unsigned char *b = dst;
    for (uint32_t i = 0; i < t->nc; i++) {
        if (memcmp(b, t->c[i]->data, t->c[i]->len) != 0)
            memcpy(b, t->c[i]->data, t->c[i]->len);
        b += t->c[i]->len;
    }
}

void keyframe__free_tables(SimState *st)
{
#define FREE_TABLE(field, n, cap) mem_free(st->field);
    STATE_TABLES(FREE_TABLE)
#undef FREE_TABLE
    mem_free(st->slots_free);
    mem_free(st->ready);
    mem_free(st->objs);
}

void keyframe__free(Keyframe *k)
{
    for (int i = 0; i < KEY_NTABLES; i++)
        table_drop(&k->tab[i]);
    mem_free(k->st.slots_free);
    mem_free(k->st.ready);
    mem_free(k->st.objs);
    k->st.slots_free = NULL;
    k->st.ready = NULL;
    k->st.objs = NULL;
}

uint64_t keyframe__state_bytes(const SimState *st, uint32_t ncodes)
{
#define TB(field, n, cap) (uint64_t)st->n * sizeof *st->field +
    return STATE_TABLES(TB) TB(objs, nobjs, -) TB(ready, ready_len, -)
           (uint64_t)ncodes * sizeof *st->slots_free;
#undef TB
}

bool keyframe__save(Keyframe *k, const SimState *src, uint32_t ncodes, const Keyframe *ref,
                    KeyCost *cost)
{
    uint64_t got = 0, changed = 0;
    bool ok = true;
    memset(k->tab, 0, sizeof k->tab);
    k->st = *src;
    int i = 0;
#define TAKE_TABLE(field, n, cap)                                                          \
    k->st.field = NULL;                                                                    \
    k->st.cap = 0;                                                                         \
    if (ok && !table_take(&k->tab[i], src->field, (size_t)src->n * sizeof *src->field,     \
                          ref ? &ref->tab[i] : NULL, &got, &changed))                      \
        ok = false;                                                                        \
    i++;
    STATE_TABLES(TAKE_TABLE)
#undef TAKE_TABLE
    k->st.slots_free = mem_malloc((ncodes ? ncodes : 1) * sizeof *k->st.slots_free);
    if (k->st.slots_free)
        memcpy(k->st.slots_free, src->slots_free, ncodes * sizeof *k->st.slots_free);
    else
        ok = false;
    k->st.objs = NULL;
    if (src->nobjs) {
        k->st.objs = mem_malloc(src->nobjs * sizeof *k->st.objs);
        if (k->st.objs)
            memcpy(k->st.objs, src->objs, src->nobjs * sizeof *k->st.objs);
        else
            ok = false;
    }
    /* the ready ring, linearised */
    k->st.ready = NULL;
    k->st.ready_cap = 0;
    k->st.ready_head = 0;
    if (src->ready_len) {
        k->st.ready = mem_malloc(src->ready_len * sizeof *k->st.ready);
        if (k->st.ready) {
            for (uint32_t j = 0; j < src->ready_len; j++)
                k->st.ready[j] = src->ready[(src->ready_head + j) % src->ready_cap];
            k->st.ready_cap = src->ready_len;
        } else {
            ok = false;
        }
    }
    k->st.sbuf = NULL;
    k->st.str_off = NULL;
    k->st.litems = NULL;
    k->st.lists = NULL;
    k->st.excs = NULL;
    if (!ok) {
        keyframe__free(k);
        return false;
    }
    got += (uint64_t)(ncodes ? ncodes : 1) * sizeof *k->st.slots_free +
           (uint64_t)src->nobjs * sizeof *k->st.objs + (uint64_t)src->ready_len * sizeof *k->st.ready;
    if (cost) {
        cost->fresh = got;
        cost->changed = changed;
    }
    return true;
}

/* Makes room for n elements in a table of the live state, keeping what it
 * holds (so a failure leaves the state as it was). */
static bool room_for(void **buf, uint32_t *cap, uint32_t n, size_t elem)
{
    if (n <= *cap)
        return true;
    void *nb = mem_realloc(*buf, (size_t)n * elem);
    if (!nb)
        return false;
    *buf = nb;
    *cap = n;
    return true;
}

bool keyframe__restore(SimState *st, const Keyframe *k, uint32_t ncodes)
{
    const SimState *ks = &k->st;
    /* 1: room everywhere, or nothing changes */
#define ROOM(field, n, cap) room_for((void **)&st->field, &st->cap, ks->n, sizeof *st->field) &&
    if (!(STATE_TABLES(ROOM) ROOM(ready, ready_len, ready_cap) true))
        return false;
#undef ROOM
    /* 2: the keyframe's scalars and counts, the live buffers, its contents */
    SimState live = *st;
    *st = *ks;
    int i = 0;
#define PUT_TABLE(field, n, cap)          \
    st->field = live.field;               \
    st->cap = live.cap;                   \
    table_put(st->field, &k->tab[i++]);
    STATE_TABLES(PUT_TABLE)
#undef PUT_TABLE
    st->ready = live.ready; /* the keyframe's ring is linear: head 0 */
    st->ready_cap = live.ready_cap;
    if (ks->ready_len)
        memcpy(st->ready, ks->ready, (size_t)ks->ready_len * sizeof *st->ready);
    st->ready_head = 0;
    st->slots_free = live.slots_free;
    memcpy(st->slots_free, ks->slots_free, ncodes * sizeof *st->slots_free);
    st->objs = live.objs;
    if (ks->nobjs)
        memcpy(st->objs, ks->objs, ks->nobjs * sizeof *st->objs);
    /* the live arenas, truncated to the keyframe's lengths */
    st->sbuf = live.sbuf;
    st->sbuf_cap = live.sbuf_cap;
    st->str_off = live.str_off;
    st->str_cap = live.str_cap;
    st->litems = live.litems;
    st->litems_cap = live.litems_cap;
    st->lists = live.lists;
    st->lists_cap = live.lists_cap;
    st->excs = live.excs;
    st->excs_cap = live.excs_cap;
    return true;
}
