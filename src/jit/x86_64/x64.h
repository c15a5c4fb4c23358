/*
 * x64.h — a small x86-64 instruction encoder: a growable byte buffer and
 * helpers for the forms the JIT emits. Register numbers are the hardware
 * ones (rax = 0 ... r15 = 15; xmm0 = 0 ... xmm15 = 15).
 *
 * Memory operands are [base + index*scale + disp32]. The ModRM corner
 * cases: base rsp/r12 (low bits 100) always needs a SIB byte, base rbp/r13
 * (low bits 101) has no disp-less form (mod 00 means RIP/absolute), so it
 * gets a zero disp8; index rsp is not encodable (never used here); base -1
 * encodes an absolute [disp32] through a SIB byte (used with an fs prefix).
 */
#ifndef KP_X64_H
#define KP_X64_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    RAX = 0, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
    R8, R9, R10, R11, R12, R13, R14, R15
};

/* condition codes */
enum {
    CC_O = 0, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G
};

typedef struct xbuf {
    uint8_t *p;
    size_t n, cap;
    int nomem;
} xbuf;

typedef struct xmem {
    int base;   /* -1: absolute disp32 */
    int index;  /* -1: none */
    int scale;  /* 1, 2, 4, 8 */
    int32_t disp;
} xmem;

static inline xmem xm(int base, int32_t disp) { return (xmem){base, -1, 1, disp}; }
static inline xmem xmi(int base, int index, int32_t disp) { return (xmem){base, index, 1, disp}; }

/* The growth path, out of line: inlined, its call made every encoder save
 * and restore registers on the common path too. */
static __attribute__((noinline, cold, unused)) int xb_grow(xbuf *b, size_t more)
{
    if (b->nomem)
        return 0;
    size_t nc = b->cap ? b->cap * 2 : 4096;
    while (nc < b->n + more)
        nc *= 2;
    uint8_t *np = realloc(b->p, nc);
    if (!np) {
        b->nomem = 1;
        return 0;
    }
    b->p = np;
    b->cap = nc;
    return 1;
}

static inline int xb_reserve(xbuf *b, size_t more)
{
    if (__builtin_expect(b->n + more <= b->cap, 1))
        return 1;
    return xb_grow(b, more);
}

static inline void xb1(xbuf *b, uint8_t v)
{
    if (b->n < b->cap || xb_reserve(b, 1))
        b->p[b->n++] = v;
}
static inline void xb4(xbuf *b, uint32_t v)
{
    if (!xb_reserve(b, 4))
        return;
    memcpy(b->p + b->n, &v, 4);
    b->n += 4;
}
static inline void xb8(xbuf *b, uint64_t v)
{
    if (!xb_reserve(b, 8))
        return;
    memcpy(b->p + b->n, &v, 8);
    b->n += 8;
}
/* The longest instruction the encoders below emit before their immediate:
 * prefix, REX, 3 opcode bytes, ModRM, SIB, disp32 (x_mov_ri: REX, opcode,
 * imm64). */
#define X_MAXLEN 16

static inline void xpatch4(xbuf *b, size_t at, uint32_t v)
{
    if (!b->nomem && at + 4 <= b->n)
        memcpy(b->p + at, &v, 4);
}

static inline int fits8(int64_t v) { return v >= -128 && v <= 127; }
static inline int fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* The encoders below write through a local cursor q into room reserved
 * for the whole instruction (X_MAXLEN) and store b->n once: a byte store
 * through b->p may alias b->n, so per-byte xb1 calls reload both each
 * time. */

/* ModRM (+ SIB, displacement) for reg and memory m at q; returns the end. */
static inline uint8_t *x_modrm_mem(uint8_t *q, int reg, const xmem *m)
{
    int r = reg & 7;
    if (m->base < 0) {
        int ss0 = m->scale == 8 ? 3 : m->scale == 4 ? 2 : m->scale == 2 ? 1 : 0;
        *q++ = (uint8_t)(0x04 | r << 3);
        *q++ = (uint8_t)(m->index >= 0 ? (ss0 << 6 | (m->index & 7) << 3 | 5) : 0x25);
        uint32_t d = (uint32_t)m->disp;
        memcpy(q, &d, 4);
        return q + 4;
    }
    int base = m->base & 7;
    int mod = (m->disp == 0 && base != 5) ? 0 : fits8(m->disp) ? 1 : 2;
    if (m->index >= 0 || base == 4) {
        int idx = m->index >= 0 ? (m->index & 7) : 4;
        int ss = m->scale == 8 ? 3 : m->scale == 4 ? 2 : m->scale == 2 ? 1 : 0;
        *q++ = (uint8_t)(mod << 6 | r << 3 | 4);
        *q++ = (uint8_t)(ss << 6 | idx << 3 | base);
    } else {
        *q++ = (uint8_t)(mod << 6 | r << 3 | base);
    }
    if (mod == 1) {
        *q++ = (uint8_t)(int8_t)m->disp;
    } else if (mod == 2) {
        uint32_t d = (uint32_t)m->disp;
        memcpy(q, &d, 4);
        q += 4;
    }
    return q;
}

/* Legacy prefix (0x66/0xF2/0xF3 or 0) and REX at q; returns the end.
 * byteregs: the instruction has an 8-bit register operand (spl..dil need
 * a REX prefix to be addressable). */
static inline uint8_t *x_prefix(uint8_t *q, int pfx, int w, int reg, int x, int bb, int byteregs)
{
    if (pfx)
        *q++ = (uint8_t)pfx;
    int rex = (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((x >> 3) & 1) << 1 | ((bb >> 3) & 1);
    if (rex || byteregs)
        *q++ = (uint8_t)(0x40 | rex);
    return q;
}

/* Opcode bytes (1-3, big-endian in opc with length olen) at q. */
static inline uint8_t *x_opc(uint8_t *q, uint32_t opc, int olen)
{
    if (olen >= 3)
        *q++ = (uint8_t)(opc >> 16);
    if (olen >= 2)
        *q++ = (uint8_t)(opc >> 8);
    *q++ = (uint8_t)opc;
    return q;
}

/* op reg, r/m (register form). */
static inline void x_rr(xbuf *b, int pfx, int w, uint32_t opc, int olen, int reg, int rm)
{
    if (!xb_reserve(b, X_MAXLEN))
        return;
    uint8_t *q = x_prefix(b->p + b->n, pfx, w, reg, 0, rm, 0);
    q = x_opc(q, opc, olen);
    *q++ = (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7));
    b->n = (size_t)(q - b->p);
}
/* The same with 8-bit register operands. */
static inline void x_rr8(xbuf *b, int w, uint32_t opc, int olen, int reg, int rm)
{
    int need = (rm >= 4 && rm < 8) || (reg >= 4 && reg < 8);
    if (!xb_reserve(b, X_MAXLEN))
        return;
    uint8_t *q = x_prefix(b->p + b->n, 0, w, reg, 0, rm, need);
    q = x_opc(q, opc, olen);
    *q++ = (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7));
    b->n = (size_t)(q - b->p);
}
/* op reg, [mem]. */
static inline void x_rm(xbuf *b, int pfx, int w, uint32_t opc, int olen, int reg,
                        xmem m, int byteregs)
{
    if (!xb_reserve(b, X_MAXLEN))
        return;
    uint8_t *q = x_prefix(b->p + b->n, pfx, w, reg, m.index >= 0 ? m.index : 0,
                          m.base >= 0 ? m.base : 0, byteregs && reg >= 4 && reg < 8);
    q = x_opc(q, opc, olen);
    q = x_modrm_mem(q, reg, &m);
    b->n = (size_t)(q - b->p);
}

/* ---- common instructions ---- */
static inline void x_mov_rr(xbuf *b, int w, int d, int s)
{
    x_rr(b, 0, w, 0x89, 1, s, d);
}
static inline void x_load(xbuf *b, int w, int d, xmem m) { x_rm(b, 0, w, 0x8B, 1, d, m, 0); }
static inline void x_store(xbuf *b, int w, xmem m, int s) { x_rm(b, 0, w, 0x89, 1, s, m, 0); }
static inline void x_lea(xbuf *b, int w, int d, xmem m) { x_rm(b, 0, w, 0x8D, 1, d, m, 0); }

/* d = imm: the shortest form. */
static inline void x_mov_ri(xbuf *b, int w, int d, uint64_t v)
{
    if (!w)
        v = (uint32_t)v;
    if (v == 0) {
        x_rr(b, 0, 0, 0x31, 1, d, d); /* xor d32, d32 (clobbers flags) */
        return;
    }
    if (!xb_reserve(b, X_MAXLEN))
        return;
    uint8_t *q = b->p + b->n;
    if (v <= UINT32_MAX) {
        q = x_prefix(q, 0, 0, 0, 0, d, 0);
        *q++ = (uint8_t)(0xB8 | (d & 7));
        uint32_t v32 = (uint32_t)v;
        memcpy(q, &v32, 4);
        q += 4;
    } else if (fits32((int64_t)v)) {
        q = x_prefix(q, 0, 1, 0, 0, d, 0);
        *q++ = 0xC7;
        *q++ = (uint8_t)(0xC0 | (d & 7));
        uint32_t v32 = (uint32_t)v;
        memcpy(q, &v32, 4);
        q += 4;
    } else {
        q = x_prefix(q, 0, 1, 0, 0, d, 0);
        *q++ = (uint8_t)(0xB8 | (d & 7));
        memcpy(q, &v, 8);
        q += 8;
    }
    b->n = (size_t)(q - b->p);
}
/* Like x_mov_ri but never touches the flags. */
static inline void x_mov_ri_nf(xbuf *b, int w, int d, uint64_t v)
{
    if (!w)
        v = (uint32_t)v;
    if (v <= UINT32_MAX) {
        if (!xb_reserve(b, X_MAXLEN))
            return;
        uint8_t *q = x_prefix(b->p + b->n, 0, 0, 0, 0, d, 0);
        *q++ = (uint8_t)(0xB8 | (d & 7));
        uint32_t v32 = (uint32_t)v;
        memcpy(q, &v32, 4);
        b->n = (size_t)(q + 4 - b->p);
    } else {
        x_mov_ri(b, 1, d, v);
    }
}

/* ALU group 1: /n = ADD 0, OR 1, AND 4, SUB 5, XOR 6, CMP 7. */
enum { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };
static inline void x_alu_rr(xbuf *b, int w, int op, int d, int s)
{
    x_rr(b, 0, w, (uint32_t)(op * 8 + 1), 1, s, d);
}
static inline void x_alu_rm(xbuf *b, int w, int op, int d, xmem m)
{
    x_rm(b, 0, w, (uint32_t)(op * 8 + 3), 1, d, m, 0);
}
static inline void x_alu_ri(xbuf *b, int w, int op, int d, int32_t imm)
{
    if (fits8(imm)) {
        x_rr(b, 0, w, 0x83, 1, op, d);
        xb1(b, (uint8_t)(int8_t)imm);
    } else {
        x_rr(b, 0, w, 0x81, 1, op, d);
        xb4(b, (uint32_t)imm);
    }
}
static inline void x_alu_mi(xbuf *b, int w, int op, xmem m, int32_t imm)
{
    if (fits8(imm)) {
        x_rm(b, 0, w, 0x83, 1, op, m, 0);
        xb1(b, (uint8_t)(int8_t)imm);
    } else {
        x_rm(b, 0, w, 0x81, 1, op, m, 0);
        xb4(b, (uint32_t)imm);
    }
}
static inline void x_test_rr(xbuf *b, int w, int a, int c) { x_rr(b, 0, w, 0x85, 1, c, a); }
static inline void x_imul_rr(xbuf *b, int w, int d, int s) { x_rr(b, 0, w, 0x0FAF, 2, d, s); }
static inline void x_imul_rri(xbuf *b, int w, int d, int s, int32_t imm)
{
    if (fits8(imm)) {
        x_rr(b, 0, w, 0x6B, 1, d, s);
        xb1(b, (uint8_t)(int8_t)imm);
    } else {
        x_rr(b, 0, w, 0x69, 1, d, s);
        xb4(b, (uint32_t)imm);
    }
}
/* F7 group: NOT 2, NEG 3, MUL 4, IMUL 5, DIV 6, IDIV 7. */
static inline void x_f7(xbuf *b, int w, int n, int r) { x_rr(b, 0, w, 0xF7, 1, n, r); }
/* shifts: SHL 4, SHR 5, SAR 7 */
static inline void x_shift_cl(xbuf *b, int w, int n, int r) { x_rr(b, 0, w, 0xD3, 1, n, r); }
static inline void x_shift_i(xbuf *b, int w, int n, int r, int k)
{
    x_rr(b, 0, w, 0xC1, 1, n, r);
    xb1(b, (uint8_t)k);
}
static inline void x_setcc(xbuf *b, int cc, int r) { x_rr8(b, 0, 0x0F90u | (uint32_t)cc, 2, 0, r); }
static inline void x_movzx8(xbuf *b, int d, int s) { x_rr8(b, 0, 0x0FB6, 2, d, s); }
static inline void x_push(xbuf *b, int r)
{
    if (r >= 8)
        xb1(b, 0x41);
    xb1(b, (uint8_t)(0x50 | (r & 7)));
}
static inline void x_pop(xbuf *b, int r)
{
    if (r >= 8)
        xb1(b, 0x41);
    xb1(b, (uint8_t)(0x58 | (r & 7)));
}
static inline void x_ret(xbuf *b) { xb1(b, 0xC3); }
static inline void x_call_r(xbuf *b, int r) { x_rr(b, 0, 0, 0xFF, 1, 2, r); }
static inline void x_call_m(xbuf *b, xmem m) { x_rm(b, 0, 0, 0xFF, 1, 2, m, 0); }
static inline void x_jmp_r(xbuf *b, int r) { x_rr(b, 0, 0, 0xFF, 1, 4, r); }
/* call an absolute address through rax */
static inline void x_call_abs(xbuf *b, const void *fn)
{
    x_mov_ri(b, 1, RAX, (uint64_t)(uintptr_t)fn);
    x_call_r(b, RAX);
}
/* jumps with a rel32 to patch: returns the offset of the rel32 */
static inline size_t x_jcc32(xbuf *b, int cc)
{
    xb1(b, 0x0F);
    xb1(b, (uint8_t)(0x80 | cc));
    size_t at = b->n;
    xb4(b, 0);
    return at;
}
static inline size_t x_jmp32(xbuf *b)
{
    xb1(b, 0xE9);
    size_t at = b->n;
    xb4(b, 0);
    return at;
}
static inline size_t x_call32(xbuf *b)
{
    xb1(b, 0xE8);
    size_t at = b->n;
    xb4(b, 0);
    return at;
}
/* patch a rel32 at `at` to reach `target` (both buffer offsets) */
static inline void x_bind(xbuf *b, size_t at, size_t target)
{
    xpatch4(b, at, (uint32_t)(int32_t)((int64_t)target - (int64_t)(at + 4)));
}

/* Pad to a multiple of `align` with long NOPs (executed on fallthrough). */
static inline void x_align(xbuf *b, size_t align)
{
    static const uint8_t nops[9][9] = {
        {0x90}, {0x66, 0x90}, {0x0F, 0x1F, 0x00}, {0x0F, 0x1F, 0x40, 0x00},
        {0x0F, 0x1F, 0x44, 0x00, 0x00}, {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
        {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
        {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
        {0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00}};
    size_t pad = (align - b->n % align) % align;
    while (pad) {
        size_t k = pad > 9 ? 9 : pad;
        for (size_t i = 0; i < k; i++)
            xb1(b, nops[k - 1][i]);
        pad -= k;
    }
}

/* ---- SSE ---- */
/* movss/movsd xmm, [m] and back: pfx 0xF3 (F32) or 0xF2 (F64) */
static inline int fpfx(int is64) { return is64 ? 0xF2 : 0xF3; }
static inline void x_fload(xbuf *b, int is64, int x, xmem m) { x_rm(b, fpfx(is64), 0, 0x0F10, 2, x, m, 0); }
static inline void x_fstore(xbuf *b, int is64, xmem m, int x) { x_rm(b, fpfx(is64), 0, 0x0F11, 2, x, m, 0); }
static inline void x_movaps(xbuf *b, int d, int s) { x_rr(b, 0, 0, 0x0F28, 2, d, s); }
/* arithmetic: 0x58 add, 0x59 mul, 0x5C sub, 0x5E div */
static inline void x_farith(xbuf *b, int is64, int op, int d, int s) { x_rr(b, fpfx(is64), 0, 0x0F00u | (uint32_t)op, 2, d, s); }
static inline void x_ucomi(xbuf *b, int is64, int a, int c) { x_rr(b, is64 ? 0x66 : 0, 0, 0x0F2E, 2, a, c); }
/* movd/movq xmm <- gp (w = 64-bit) and gp <- xmm */
static inline void x_movd_xg(xbuf *b, int w, int x, int g) { x_rr(b, 0x66, w, 0x0F6E, 2, x, g); }
static inline void x_movd_gx(xbuf *b, int w, int g, int x) { x_rr(b, 0x66, w, 0x0F7E, 2, x, g); }
static inline void x_xorps(xbuf *b, int d, int s) { x_rr(b, 0, 0, 0x0F57, 2, d, s); }
/* cvtsi2ss/sd xmm, gp (w: 64-bit source) */
static inline void x_cvtsi2f(xbuf *b, int is64, int w, int x, int g) { x_rr(b, fpfx(is64), w, 0x0F2A, 2, x, g); }
/* cvtts?2si gp, xmm (w: 64-bit result) */
static inline void x_cvttf2si(xbuf *b, int is64, int w, int g, int x) { x_rr(b, fpfx(is64), w, 0x0F2C, 2, g, x); }
/* cvtss2sd (from F32: pfx F3) / cvtsd2ss (pfx F2) */
static inline void x_fcvt(xbuf *b, int from64, int d, int s) { x_rr(b, fpfx(from64), 0, 0x0F5A, 2, d, s); }

#endif /* KP_X64_H */
