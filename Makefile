# kplug — plain Makefile. `make` builds libkplug.a, libkplug.so and kplug;
# `make test` builds and runs every test and ends with "N passed, N failed".
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith
KPCFLAGS := -std=gnu11 -fPIC -fvisibility=hidden $(WARN) -Iinclude $(CFLAGS)
LDLIBS  := -lpthread -lm
PREFIX  ?= /usr/local
BUILD   ?= build

SRC  := $(sort $(wildcard src/*/*.c src/*/*/*.c))
OBJ  := $(SRC:%.c=$(BUILD)/%.o)
DEPS := $(OBJ:.o=.d)

all: $(BUILD)/libkplug.a $(BUILD)/libkplug.so $(BUILD)/kplug kplug

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KPCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libkplug.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libkplug.so: $(OBJ)
	$(CC) -shared -o $@ $^ $(LDLIBS)

# `kplug disasm` uses the Capstone disassembler when pkg-config finds it
# (Debian: libcapstone-dev), else prints raw bytes for objdump; CAPSTONE=0
# forces the fallback. Linked into the tool only, never into libkplug.
CAPSTONE ?= $(shell pkg-config --exists capstone 2>/dev/null && echo 1)
ifeq ($(CAPSTONE),1)
TOOL_CFLAGS := -DKP_HAVE_CAPSTONE $(shell pkg-config --cflags capstone)
TOOL_LIBS   := $(shell pkg-config --libs capstone)
endif

# -Isrc: the tool also uses the JIT's internal interface (src/jit/jit.h).
$(BUILD)/kplug: tools/kplug.c $(BUILD)/libkplug.a
	$(CC) $(KPCFLAGS) -Isrc $(TOOL_CFLAGS) -o $@ $< $(BUILD)/libkplug.a $(TOOL_LIBS) $(LDLIBS)

kplug: $(BUILD)/kplug
	ln -sf $(BUILD)/kplug kplug

# ---- install (PREFIX=/usr/local, DESTDIR for staging) -------------------
VERSION := $(shell sed -n 's/^\#define KP_VERSION_STRING "\(.*\)"/\1/p' include/kplug.h)
LIBDIR  ?= $(PREFIX)/lib

$(BUILD)/kplug.pc: kplug.pc.in include/kplug.h
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

install: all $(BUILD)/kplug.pc
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/kplug.h $(DESTDIR)$(PREFIX)/include/kplug.h
	install -m 644 $(BUILD)/libkplug.a $(DESTDIR)$(LIBDIR)/libkplug.a
	install -m 755 $(BUILD)/libkplug.so $(DESTDIR)$(LIBDIR)/libkplug.so
	install -m 644 $(BUILD)/kplug.pc $(DESTDIR)$(LIBDIR)/pkgconfig/kplug.pc
	install -m 755 $(BUILD)/kplug $(DESTDIR)$(PREFIX)/bin/kplug

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/kplug.h $(DESTDIR)$(LIBDIR)/libkplug.a \
	      $(DESTDIR)$(LIBDIR)/libkplug.so $(DESTDIR)$(LIBDIR)/pkgconfig/kplug.pc \
	      $(DESTDIR)$(PREFIX)/bin/kplug

-include $(DEPS)
-include tests/tests.mk
-include tests/fuzz/fuzz.mk
-include examples/httpd/httpd.mk
-include examples/kplugfs/kplugfs.mk

clean:
	rm -rf $(BUILD) build-* kplug

.PHONY: all clean install uninstall
