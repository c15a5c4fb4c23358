/*
 * gdb.c — GDB's JIT interface (the documented protocol: gdb puts a
 * breakpoint in __jit_debug_register_code and reads the list hanging off
 * __jit_debug_descriptor). For every loaded module we hand gdb a small
 * in-memory ELF object: a NOBITS .text placed at the module's code chunk,
 * a symbol table naming each function `plugin:function`, and an .eh_frame
 * describing the native frames so that gdb can unwind through plugin code
 * back into the host.
 *
 * Opt-in: only with KPLUG_GDB=1 in the environment (read once), so loads,
 * links and unlinks cost nothing more without it.
 */
#include "../jit.h"

#if KP_JIT_AVAILABLE
#include <elf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "x64.h"

/* ---- the protocol (names and layout fixed by gdb) ---- */

typedef enum { JIT_NOACTION = 0, JIT_REGISTER_FN, JIT_UNREGISTER_FN } jit_actions_t;

struct jit_code_entry {
    struct jit_code_entry *next_entry;
    struct jit_code_entry *prev_entry;
    const char *symfile_addr;
    uint64_t symfile_size;
};

struct jit_descriptor {
    uint32_t version;
    uint32_t action_flag;
    struct jit_code_entry *relevant_entry;
    struct jit_code_entry *first_entry;
};

/* Default visibility: one descriptor per process even when several JITs
 * (or several copies of kplug) are loaded, as gdb expects. */
#define GDB_API __attribute__((visibility("default")))
GDB_API void __jit_debug_register_code(void);
extern GDB_API struct jit_descriptor __jit_debug_descriptor;

GDB_API __attribute__((noinline, used)) void __jit_debug_register_code(void)
{
    __asm__ volatile("" ::: "memory"); /* gdb's breakpoint lands here */
}

GDB_API __attribute__((used)) struct jit_descriptor __jit_debug_descriptor = {1, 0, NULL, NULL};

static pthread_mutex_t gdb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t gdb_once = PTHREAD_ONCE_INIT;
static int gdb_on;

static void gdb_init(void)
{
    const char *v = getenv("KPLUG_GDB");
    gdb_on = v && *v && *v != '0';
}

/* ---- building the object ---- */

typedef struct obuf {
    uint8_t *p;
    size_t n, cap;
    int nomem;
} obuf;

static void ob_put(obuf *b, const void *d, size_t n)
{
    if (b->nomem)
        return;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 1024;
        while (nc < b->n + n)
            nc *= 2;
        uint8_t *np = realloc(b->p, nc);
        if (!np) {
            b->nomem = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    if (d)
        memcpy(b->p + b->n, d, n);
    else
        memset(b->p + b->n, 0, n);
    b->n += n;
}
static void ob_u8(obuf *b, uint8_t v) { ob_put(b, &v, 1); }
static void ob_u32(obuf *b, uint32_t v) { ob_put(b, &v, 4); }
static void ob_uleb(obuf *b, uint32_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        ob_u8(b, (uint8_t)(c | (v ? 0x80 : 0)));
    } while (v);
}
static void ob_align(obuf *b, size_t a)
{
    while (b->n % a)
        ob_u8(b, 0);
}
static void ob_patch32(obuf *b, size_t at, uint32_t v)
{
    if (!b->nomem)
        memcpy(b->p + at, &v, 4);
}

/* DW_CFA_advance_loc by delta bytes (code alignment 1) */
static void ob_advance(obuf *b, uint32_t delta)
{
    if (delta < 64) {
        ob_u8(b, (uint8_t)(0x40 | delta));
    } else if (delta < 256) {
        ob_u8(b, 0x02);
        ob_u8(b, (uint8_t)delta);
    } else {
        ob_u8(b, 0x03);
        ob_u8(b, (uint8_t)delta);
        ob_u8(b, (uint8_t)(delta >> 8));
    }
}

/* DWARF numbers of our native registers (x64.h numbering = hardware). */
static uint8_t dwreg(int r)
{
    static const uint8_t map[16] = {0, 2, 1, 3, 7, 6, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};
    return map[r & 15];
}

/* What an object describes: symbols over one code range. */
typedef struct gsym {
    uint32_t off, len;       /* relative to base */
    const char *prefix, *name;
    const jit_fn *frame;     /* frame layout; NULL: the entry trampoline */
    const jit_stub_cfi *stub; /* or a prepared call's stub */
} gsym;

typedef struct gobj {
    const uint8_t *base;
    size_t used;
    uint32_t n;
    const gsym *s;
} gobj;

/* The CFA and saved registers of f's body: the frame, its pushes and the
 * return address above rsp. */
static void cfa_framed(obuf *b, const jit_fn *f)
{
    ob_u8(b, 0x0e); /* def_cfa_offset */
    ob_uleb(b, f->frame_bytes + 8u * f->npush + 8);
    for (int k = 0; k < f->npush; k++) {
        ob_u8(b, (uint8_t)(0x80 | dwreg(f->pushed[k])));
        ob_uleb(b, (uint32_t)(2 + k)); /* cfa - 8*(2+k) */
    }
}

/* .eh_frame: one CIE, one FDE per symbol. Addresses are relative to
 * .text (DW_EH_PE_textrel), so the object needs no relocation. */
static void eh_frame(obuf *b, const gobj *o)
{
    size_t cie = b->n;
    ob_u32(b, 0); /* length, patched */
    ob_u32(b, 0); /* CIE id */
    ob_u8(b, 1);  /* version */
    ob_put(b, "zR", 3);
    ob_uleb(b, 1);       /* code alignment */
    ob_u8(b, 0x78);      /* data alignment -8 (sleb) */
    ob_u8(b, 16);        /* return address column */
    ob_uleb(b, 1);       /* augmentation data length */
    ob_u8(b, 0x20 | 0x03); /* FDE pointers: textrel | udata4 */
    ob_u8(b, 0x0c); ob_uleb(b, 7); ob_uleb(b, 8); /* def_cfa rsp+8 */
    ob_u8(b, 0x80 | 16); ob_uleb(b, 1);          /* ra at cfa-8 */
    ob_align(b, 8);
    ob_patch32(b, cie, (uint32_t)(b->n - cie - 4));
    for (uint32_t i = 0; i < o->n; i++) {
        const gsym *g = &o->s[i];
        const jit_fn *f = g->frame;
        size_t fde = b->n;
        ob_u32(b, 0);
        ob_u32(b, (uint32_t)(b->n - cie)); /* CIE pointer */
        ob_u32(b, g->off);
        ob_u32(b, g->len);
        ob_uleb(b, 0); /* augmentation data */
        if (g->stub) {
            /* a prepared call's stub: every push, the frame, and back */
            const jit_stub_cfi *c = g->stub;
            static const int saved[6] = {RBX, RBP, R12, R13, R14, R15};
            uint32_t at = 0;
            for (int k = 0; k < 6; k++) {
                ob_advance(b, c->push_end[k] - at);
                at = c->push_end[k];
                ob_u8(b, 0x0e);
                ob_uleb(b, 8u * (uint32_t)k + 16);
                ob_u8(b, (uint8_t)(0x80 | dwreg(saved[k])));
                ob_uleb(b, (uint32_t)(2 + k));
            }
            ob_advance(b, c->frame_at - at);
            ob_u8(b, 0x0e);
            ob_uleb(b, (uint32_t)c->room + 56);
            ob_advance(b, c->unframe_at - c->frame_at);
            ob_u8(b, 0x0e);
            ob_uleb(b, 56);
            at = c->unframe_at;
            for (int k = 0; k < 6; k++) {
                ob_advance(b, c->pop_end[k] - at);
                at = c->pop_end[k];
                ob_u8(b, 0x0e);
                ob_uleb(b, 48u - 8u * (uint32_t)k);
            }
        } else if (f) {
            /* from the end of the prologue on (rsp is constant in the body) */
            uint32_t pl = f->prologue_len > 255 ? 255 : f->prologue_len;
            ob_u8(b, 0x02); /* advance_loc1 */
            ob_u8(b, (uint8_t)pl);
            cfa_framed(b, f);
            /* the prepared-call entry after the body builds the same
             * frame with the same bytes as the register entry in the
             * prologue: the entry's state, then the body's from the same
             * distance on */
            uint32_t at = f->code_off + pl;
            if (f->reg_off > f->code_off && f->reg_off < at)
                pl = at - f->reg_off;
            if (f->prep_off >= at && f->prep_off < f->code_off + f->code_len) {
                ob_advance(b, f->prep_off - at);
                ob_u8(b, 0x0e);
                ob_uleb(b, 8);
                for (int k = 0; k < f->npush; k++)
                    ob_u8(b, (uint8_t)(0xc0 | dwreg(f->pushed[k]))); /* restore */
                ob_advance(b, pl);
                cfa_framed(b, f);
            }
        } else {
            /* entry trampoline: once rbx holds the jit_frame, the CFA is
             * rbx + JF_ROOM + 56 (the frame, 6 pushes, the return address),
             * whatever the outgoing area took */
            ob_u8(b, 0x02);
            ob_u8(b, (uint8_t)jit_g.enter_cfi_off);
            ob_u8(b, 0x0c); /* def_cfa */
            ob_uleb(b, (uint32_t)dwreg(RBX));
            ob_uleb(b, JF_ROOM + 56);
            static const int saved[6] = {RBX, RBP, R12, R13, R14, R15};
            for (int k = 0; k < 6; k++) {
                ob_u8(b, (uint8_t)(0x80 | dwreg(saved[k])));
                ob_uleb(b, (uint32_t)(2 + k));
            }
        }
        ob_align(b, 8);
        ob_patch32(b, fde, (uint32_t)(b->n - fde - 4));
    }
    ob_u32(b, 0); /* terminator */
}

enum { S_NULL, S_TEXT, S_EH, S_SHSTR, S_STR, S_SYM, S_NUM };

static uint8_t *build_elf(const gobj *o, size_t *size)
{
    obuf b = {0};
    Elf64_Ehdr eh;
    memset(&eh, 0, sizeof eh);
    ob_put(&b, NULL, sizeof eh);
    /* .shstrtab */
    static const char shstr[] = "\0.text\0.eh_frame\0.shstrtab\0.strtab\0.symtab";
    static const uint32_t shname[S_NUM] = {0, 1, 7, 17, 27, 35};
    size_t o_shstr = b.n;
    ob_put(&b, shstr, sizeof shstr);
    /* .strtab and .symtab */
    obuf st = {0};
    ob_u8(&st, 0);
    size_t o_eh, n_eh, o_str, n_str, o_sym, n_sym;
    ob_align(&b, 8);
    o_eh = b.n;
    eh_frame(&b, o);
    n_eh = b.n - o_eh;
    ob_align(&b, 8);
    o_sym = b.n;
    Elf64_Sym sym;
    memset(&sym, 0, sizeof sym);
    ob_put(&b, &sym, sizeof sym);
    for (uint32_t i = 0; i < o->n; i++) {
        const gsym *g = &o->s[i];
        memset(&sym, 0, sizeof sym);
        sym.st_name = (uint32_t)st.n;
        sym.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
        sym.st_shndx = S_TEXT;
        sym.st_value = g->off;
        sym.st_size = g->len;
        ob_put(&st, g->prefix, strlen(g->prefix));
        ob_u8(&st, ':');
        ob_put(&st, g->name, strlen(g->name) + 1);
        ob_put(&b, &sym, sizeof sym);
    }
    n_sym = b.n - o_sym;
    o_str = b.n;
    ob_put(&b, st.p, st.n);
    n_str = st.n;
    int failed = st.nomem;
    free(st.p);
    ob_align(&b, 8);
    size_t o_sh = b.n;
    Elf64_Shdr sh[S_NUM];
    memset(sh, 0, sizeof sh);
    for (int i = 0; i < S_NUM; i++)
        sh[i].sh_name = shname[i];
    sh[S_TEXT].sh_type = SHT_NOBITS;
    sh[S_TEXT].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
    sh[S_TEXT].sh_addr = (uintptr_t)o->base;
    sh[S_TEXT].sh_size = o->used;
    sh[S_TEXT].sh_addralign = 16;
    sh[S_EH].sh_type = SHT_PROGBITS;
    sh[S_EH].sh_flags = SHF_ALLOC;
    sh[S_EH].sh_offset = o_eh;
    sh[S_EH].sh_size = n_eh;
    sh[S_EH].sh_addralign = 8;
    sh[S_SHSTR].sh_type = SHT_STRTAB;
    sh[S_SHSTR].sh_offset = o_shstr;
    sh[S_SHSTR].sh_size = sizeof shstr;
    sh[S_SHSTR].sh_addralign = 1;
    sh[S_STR].sh_type = SHT_STRTAB;
    sh[S_STR].sh_offset = o_str;
    sh[S_STR].sh_size = n_str;
    sh[S_STR].sh_addralign = 1;
    sh[S_SYM].sh_type = SHT_SYMTAB;
    sh[S_SYM].sh_offset = o_sym;
    sh[S_SYM].sh_size = n_sym;
    sh[S_SYM].sh_link = S_STR;
    sh[S_SYM].sh_info = 1; /* first global symbol */
    sh[S_SYM].sh_entsize = sizeof(Elf64_Sym);
    sh[S_SYM].sh_addralign = 8;
    ob_put(&b, sh, sizeof sh);
    if (b.nomem || failed) {
        free(b.p);
        return NULL;
    }
    /* the .eh_frame's address is where gdb finds it: inside this image */
    Elf64_Shdr *shp = (Elf64_Shdr *)(b.p + o_sh);
    shp[S_EH].sh_addr = (uintptr_t)(b.p + o_eh);
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
    eh.e_type = ET_REL;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_shoff = o_sh;
    eh.e_ehsize = sizeof eh;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = S_NUM;
    eh.e_shstrndx = S_SHSTR;
    memcpy(b.p, &eh, sizeof eh);
    *size = b.n;
    return b.p;
}

static struct jit_code_entry *gdb_add(const gobj *o)
{
    struct jit_code_entry *ce = calloc(1, sizeof *ce);
    if (!ce)
        return NULL;
    size_t size = 0;
    uint8_t *obj = build_elf(o, &size);
    if (!obj) {
        free(ce);
        return NULL; /* a debugging aid only: a failure costs nothing else */
    }
    ce->symfile_addr = (const char *)obj;
    ce->symfile_size = size;
    pthread_mutex_lock(&gdb_lock);
    ce->prev_entry = NULL;
    ce->next_entry = __jit_debug_descriptor.first_entry;
    if (ce->next_entry)
        ce->next_entry->prev_entry = ce;
    __jit_debug_descriptor.first_entry = ce;
    __jit_debug_descriptor.relevant_entry = ce;
    __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
    __jit_debug_register_code();
    __jit_debug_descriptor.action_flag = JIT_NOACTION;
    pthread_mutex_unlock(&gdb_lock);
    return ce;
}

void jit_gdb_trampolines(void)
{
    pthread_once(&gdb_once, gdb_init);
    if (!gdb_on)
        return;
    gsym g = {0, jit_g.enter_len, "kplug", "enter", NULL, NULL};
    gobj o = {jit_g.enter, jit_g.enter_len, 1, &g};
    gdb_add(&o); /* lives as long as the process, like the trampolines */
}

/* Stubs registered: their code and entry, to unregister by address. */
typedef struct gstub {
    const void *code;
    struct jit_code_entry *ce;
    struct gstub *next;
} gstub;
static gstub *gstubs;

void jit_gdb_stub_register(const void *code, size_t len, const jit_stub_cfi *cfi)
{
    pthread_once(&gdb_once, gdb_init);
    if (!gdb_on)
        return;
    gstub *s = malloc(sizeof *s);
    if (!s)
        return;
    gsym g = {0, (uint32_t)len, "kplug", "prepared", NULL, cfi};
    gobj o = {code, len, 1, &g};
    s->code = code;
    s->ce = gdb_add(&o);
    if (!s->ce) {
        free(s);
        return;
    }
    pthread_mutex_lock(&gdb_lock);
    s->next = gstubs;
    gstubs = s;
    pthread_mutex_unlock(&gdb_lock);
}

static void gdb_remove(struct jit_code_entry *ce);

void jit_gdb_stub_unregister(const void *code)
{
    if (!gdb_on)
        return;
    pthread_mutex_lock(&gdb_lock);
    gstub **pp = &gstubs, *s;
    while ((s = *pp) && s->code != code)
        pp = &s->next;
    if (s)
        *pp = s->next;
    pthread_mutex_unlock(&gdb_lock);
    if (s) {
        gdb_remove(s->ce);
        free(s);
    }
}

void jit_gdb_register(jit_module *jm)
{
    pthread_once(&gdb_once, gdb_init);
    if (!gdb_on || !jm->nfns)
        return;
    gsym *g = calloc(jm->nfns, sizeof *g);
    if (!g)
        return;
    const char *plugin = jm->kmod->name ? jm->kmod->name : "?";
    for (uint32_t i = 0; i < jm->nfns; i++)
        g[i] = (gsym){jm->fns[i].code_off, jm->fns[i].code_len, plugin,
                      jm->kmod->fns[i].name ? jm->kmod->fns[i].name : "?", &jm->fns[i], NULL};
    gobj o = {jm->code, jm->fns[jm->nfns - 1].code_off + jm->fns[jm->nfns - 1].code_len,
              jm->nfns, g};
    jm->gdb_entry = gdb_add(&o);
    free(g);
}

void jit_gdb_unregister(jit_module *jm)
{
    if (!jm->gdb_entry)
        return;
    gdb_remove(jm->gdb_entry);
    jm->gdb_entry = NULL;
}

static void gdb_remove(struct jit_code_entry *ce)
{
    pthread_mutex_lock(&gdb_lock);
    if (ce->prev_entry)
        ce->prev_entry->next_entry = ce->next_entry;
    else
        __jit_debug_descriptor.first_entry = ce->next_entry;
    if (ce->next_entry)
        ce->next_entry->prev_entry = ce->prev_entry;
    __jit_debug_descriptor.relevant_entry = ce;
    __jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
    __jit_debug_register_code();
    __jit_debug_descriptor.action_flag = JIT_NOACTION;
    pthread_mutex_unlock(&gdb_lock);
    free((void *)ce->symfile_addr);
    free(ce);
}
#endif
