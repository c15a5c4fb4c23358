# examples/kplugfs/kplugfs.mk — kplugfs, the compressing FUSE file system
# (included by the Makefile; docs/kplugfs.md).
#
#   make kplugfs        build/kplugfs (installs Debian's libfuse3-dev and
#                       fuse3 with apt-get when missing)
#   make test-kplugfs   its test suite alone
#   make bench-kplugfs  its figures (also part of `make bench`)
#
# `make all` does not need FUSE; `make test` builds kplugfs first, and if
# that fails the kplugfs suite reports it as a failure.

KPLUGFS_SRC := $(sort $(wildcard examples/kplugfs/*.c))

$(BUILD)/.fuse3-deps:
	@mkdir -p $(BUILD)
	@if ! pkg-config --exists fuse3 2>/dev/null || ! command -v fusermount3 >/dev/null; then \
	    echo "kplugfs: installing libfuse3-dev and fuse3"; \
	    apt-get install -y libfuse3-dev fuse3 pkg-config >/dev/null || \
	    { apt-get update >/dev/null && apt-get install -y libfuse3-dev fuse3 pkg-config >/dev/null; }; \
	fi
	@touch $@

# Only the public header: kplugfs is a host like any other.
$(BUILD)/kplugfs: $(KPLUGFS_SRC) examples/kplugfs/kplugfs.h $(BUILD)/libkplug.a $(BUILD)/.fuse3-deps
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -Iinclude $$(pkg-config --cflags fuse3) -o $@ \
	    $(KPLUGFS_SRC) $(BUILD)/libkplug.a $$(pkg-config --libs fuse3) $(LDLIBS)

kplugfs: $(BUILD)/kplugfs

# A failed build must not stop the other suites: the kplugfs suite fails
# on its own when the binary is missing.
kplugfs-try:
	-@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/kplugfs || \
	    echo "kplugfs: build failed; the kplugfs suite will fail"

test: kplugfs-try
test-kplugfs: kplugfs-try
bench: kplugfs-try

# Its figures alone (bench/kplugfs.sh; `make bench` runs them too).
bench-kplugfs: kplugfs-try
	@CC="$(CC)" BUILD=$(BUILD) QUICK=$(QUICK) bench/kplugfs.sh

.PHONY: kplugfs kplugfs-try bench-kplugfs
