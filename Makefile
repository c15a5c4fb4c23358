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

$(BUILD)/kplug: tools/kplug.c $(BUILD)/libkplug.a
	$(CC) $(KPCFLAGS) -o $@ $< $(BUILD)/libkplug.a $(LDLIBS)

kplug: $(BUILD)/kplug
	ln -sf $(BUILD)/kplug kplug

-include $(DEPS)
-include tests/tests.mk

clean:
	rm -rf $(BUILD) build-* kplug

.PHONY: all clean
