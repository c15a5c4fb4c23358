#!/usr/bin/env python3
"""Random C programs for differential testing of the lowering.

    gen_fuzz.py SEED > prog.c

Each program is well defined under gcc -fwrapv (no division by zero or
INT_MIN/-1, shift counts in range, no unsequenced side effects, float to
int conversions only of values in range) and returns a hash of its state
from main(). Compare `gcc -fwrapv` against kplug (see fuzz.sh).
"""
import random
import sys

INT_TYPES = ["char", "signed char", "unsigned char", "short", "unsigned short", "int",
             "unsigned", "long", "unsigned long", "long long", "unsigned long long", "_Bool"]
BF_TYPES = [("unsigned", 1, 31), ("int", 2, 31), ("unsigned char", 1, 8), ("long", 2, 63),
            ("unsigned long", 1, 63), ("_Bool", 1, 1)]
OPS = ["+", "-", "*", "&", "|", "^", "<<", ">>", "/", "%", "<", "<=", ">", ">=", "==", "!=",
       "&&", "||"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.vars = []      # (name, type)
        self.fields = []    # struct members (name, type)
        self.fvars = []     # float/double variables
        self.out = []

    def const(self):
        r = self.r
        k = r.randrange(6)
        if k == 0:
            return str(r.randrange(0, 10))
        if k == 1:
            return str(r.randrange(0, 300))
        if k == 2:
            return "%du" % r.randrange(0, 2**32)
        if k == 3:
            return "%dL" % r.randrange(-2**40, 2**40)
        if k == 4:
            return "0x%xUL" % r.randrange(0, 2**64)
        return "(%s)%d" % (r.choice(INT_TYPES[:-1]), r.randrange(-2**31, 2**31))

    def lvalue(self, allow_bf=True):
        r = self.r
        k = r.randrange(10)
        if k < 6 or not self.fields:
            return r.choice(self.vars)[0]
        if k < 8 and allow_bf:
            return "s." + r.choice(self.fields)[0]
        if k < 9:
            kk = r.randrange(4)
            if kk == 0:
                return "arr[%d]" % r.randrange(8)
            if kk == 1:
                return "pa[(%s) & 7]" % self.lvalue(False)
            if kk == 2 and self.fields:
                return "sa[(%s) & 3].%s" % (self.lvalue(False), r.choice(self.fields)[0])
            return "ps->%s" % r.choice(self.fields)[0]
        return "(*pv)"

    def expr(self, d):
        r = self.r
        if d <= 0 or r.random() < 0.2:
            return self.lvalue() if r.random() < 0.7 else self.const()
        k = r.randrange(12)
        if k < 6:
            op = r.choice(OPS)
            a, b = self.expr(d - 1), self.expr(d - 1)
            if op in ("<<", ">>"):
                return "(%s %s ((%s) & 31))" % (a, op, b)
            if op in ("/", "%"):
                return "(%s %s (((%s) & 7) + 1))" % (a, op, b)
            return "(%s %s %s)" % (a, op, b)
        if k == 6:
            return "(%s%s)" % (r.choice(["-", "~", "!"]), self.expr(d - 1))
        if k == 7:
            return "((%s)%s)" % (r.choice(INT_TYPES), self.expr(d - 1))
        if k == 8:
            return "(%s ? %s : %s)" % (self.expr(d - 1), self.expr(d - 1), self.expr(d - 1))
        if k == 9:
            return "f%d(%s, %s)" % (r.randrange(3), self.expr(d - 1), self.expr(d - 1))
        if k == 10:
            if self.fvars and r.random() < 0.7:
                a, b = r.choice(self.fvars), r.choice(self.fvars)
                kk = r.randrange(3)
                if kk == 0:
                    return "(%s %s %s)" % (a, r.choice(["<", "<=", ">", ">=", "==", "!="]), b)
                if kk == 1:
                    return "((%s)%s)" % (r.choice(INT_TYPES), a)
                return "(%s ? 1 : 2)" % a
            return "((int)(dv * 1e-12) + (%s))" % self.expr(d - 1)
        return "arr[(%s) & 7]" % self.expr(d - 1)

    def stmt(self, d, ind):
        r = self.r
        p = "    " * ind
        k = r.randrange(14)
        if k < 4 or d <= 0:
            return "%s%s = %s;\n" % (p, self.lvalue(), self.expr(3))
        if k < 6:
            op = r.choice(["+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>=", "/=", "%="])
            e = self.expr(2)
            if op in ("<<=", ">>="):
                e = "((%s) & 31)" % e
            if op in ("/=", "%="):
                e = "(((%s) & 7) + 1)" % e
            return "%s%s %s %s;\n" % (p, self.lvalue(), op, e)
        if k == 6:
            return "%s%s%s;\n" % (p, self.lvalue(), r.choice(["++", "--"])) if r.random() < 0.5 \
                else "%s%s%s;\n" % (p, r.choice(["++", "--"]), self.lvalue())
        if k == 7:
            s = "%sif (%s) {\n" % (p, self.expr(2)) + self.block(d - 1, ind + 1) + p + "}"
            if r.random() < 0.5:
                s += " else {\n" + self.block(d - 1, ind + 1) + p + "}"
            return s + "\n"
        if k == 8:
            iv = "i%d" % ind
            return ("%sfor (int %s = 0; %s < %d; %s++) {\n" % (p, iv, iv, r.randrange(1, 5), iv)
                    + self.block(d - 1, ind + 1) + p + "}\n")
        if k == 9:
            s = "%sswitch ((%s) & 7) {\n" % (p, self.expr(2))
            for c in r.sample(range(8), r.randrange(1, 5)):
                s += "%scase %d:\n" % (p, c) + self.block(d - 1, ind + 1)
                if r.random() < 0.6:
                    s += p + "    break;\n"
            if r.random() < 0.5:
                s += p + "default:\n" + self.block(d - 1, ind + 1)
            return s + p + "}\n"
        if k == 10:
            if self.fvars and r.random() < 0.7:
                f = r.choice(self.fvars)
                kk = r.randrange(4)
                if kk == 0:
                    return "%s%s = %s * 0.375f + (%s);\n" % (p, f, f, self.expr(2))
                if kk == 1:
                    return "%s%s %s= %s;\n" % (p, f, r.choice("+-*/"), r.choice(self.fvars))
                if kk == 2:
                    return "%s%s%s;\n" % (p, f, r.choice(["++", "--"]))
                return "%s%s = (%s)%s;\n" % (p, f, r.choice(["float", "double"]), r.choice(self.fvars))
            return "%sdv = dv * 0.5 + (double)(%s);\n" % (p, self.expr(2))
        if k == 11:
            return "%s%s = (%s) ? %s : %s;\n" % (p, self.lvalue(), self.expr(2), self.expr(2),
                                                 self.expr(2))
        if k == 12:
            return "%sh = mix(h, %s);\n" % (p, self.expr(3))
        return "%s{ %s t = %s; %s += t; }\n" % (p, self.r.choice(INT_TYPES), self.expr(2),
                                               self.lvalue(False))

    def block(self, d, ind):
        return "".join(self.stmt(d, ind) for _ in range(self.r.randrange(1, 5)))

    def gen(self):
        r = self.r
        o = []
        o.append("typedef unsigned long long u64;\n")
        o.append("static u64 mix(u64 h, u64 v) { h ^= v; h *= 0x100000001b3ULL; "
                 "return h ^ (h >> 29); }\n")
        o.append("struct S {\n")
        for i in range(r.randrange(1, 6)):
            t, lo, hi = r.choice(BF_TYPES)
            if r.random() < 0.4:
                t = r.choice(INT_TYPES)
                o.append("    %s m%d;\n" % (t, i))
            else:
                o.append("    %s m%d : %d;\n" % (t, i, r.randint(lo, hi)))
            self.fields.append(("m%d" % i, t))
        o.append("};\n")
        gl = []
        for i in range(r.randrange(2, 6)):
            t = r.choice(INT_TYPES)
            init = " = %s" % self.const() if r.random() < 0.6 else ""
            o.append("static %s g%d%s;\n" % (t, i, init))
            self.vars.append(("g%d" % i, t))
            gl.append("g%d" % i)
        o.append("static struct S s, sa[4];\nstatic long arr[8];\nstatic double dv;\n")
        o.append("static long *pa = arr + 0;\nstatic struct S *ps = &sa[1];\n")
        for i in range(3):
            rt = r.choice(INT_TYPES)
            pa, pb = r.choice(INT_TYPES), r.choice(INT_TYPES)
            body = self.r.choice(["a + b", "a * 3 - b", "a ^ (b << 2)", "(a > b) ? a : b",
                                  "a & ~b", "-a"])
            o.append("static %s f%d(%s a, %s b) { return %s; }\n" % (rt, i, pa, pb, body))
        o.append("int main(void)\n{\n    u64 h = 1;\n")
        for i in range(r.randrange(2, 6)):
            t = r.choice(INT_TYPES)
            o.append("    %s l%d = %s;\n" % (t, i, self.const()))
            self.vars.append(("l%d" % i, t))
        for i in range(r.randrange(0, 4)):
            t = r.choice(["float", "double"])
            o.append("    %s d%d = %s;\n" % (t, i, r.choice(["0", "1.5", "-2.75e10", "3", "1e-3"])))
            self.fvars.append("d%d" % i)
        pv = r.choice(self.vars)
        o.append("    %s *pv = &%s;\n" % (pv[1], pv[0]))
        for _ in range(r.randrange(2, 7)):
            o.append(self.block(4, 1))
        for n, t in self.vars:
            o.append("    h = mix(h, (u64)%s);\n" % n)
        for n in self.fvars:
            o.append("    h = mix(h, (u64)(long long)%s);\n" % n)
        for n, t in self.fields:
            o.append("    h = mix(h, (u64)s.%s);\n" % n)
        o.append("    for (int i = 0; i < 8; i++) h = mix(h, (u64)arr[i]);\n")
        for n, t in self.fields:
            o.append("    for (int i = 0; i < 4; i++) h = mix(h, (u64)sa[i].%s);\n" % n)
        o.append("    h = mix(h, (u64)(long)(dv / 1e6));\n")
        o.append("    return (int)(h ^ (h >> 32));\n}\n")
        return "".join(o)


if __name__ == "__main__":
    print(Gen(int(sys.argv[1])).gen())
