# examples/httpd/httpd.mk — kplug-httpd, the image-transcoding web server
# (included by the Makefile; see docs/httpd.md).
#
#   make httpd     the server, its image generator and the sample images
#   make run       build, then start the server on 127.0.0.1:$(PORT) with the
#                  sample images and plugins (PORT=8080 by default)
#
# libmicrohttpd comes from Debian's libmicrohttpd-dev, installed when missing.

HTTPD_DIR  := examples/httpd
HTTPD_OBJ  := $(patsubst $(HTTPD_DIR)/%.c,$(BUILD)/httpd/%.o,\
                $(addprefix $(HTTPD_DIR)/,main.c server.c clients.c builtins.c)) \
              $(BUILD)/httpd/native_gray.o
HTTPD_WWW  := $(BUILD)/httpd-www
# Image sizes of the paper's measurements: 9 KB, 99 KB, 270 KB, 3.3 MB.
HTTPD_IMAGES := $(HTTPD_WWW)/img-9k.ppm $(HTTPD_WWW)/img-99k.ppm \
                $(HTTPD_WWW)/img-270k.ppm $(HTTPD_WWW)/img-3300k.ppm \
                $(HTTPD_WWW)/sample.ppm
PORT ?= 8080

$(BUILD)/httpd/.deps:
	@mkdir -p $(dir $@)
	@if ! echo '#include <microhttpd.h>' | $(CC) -E -x c - >/dev/null 2>&1; then \
	    echo "httpd: installing libmicrohttpd-dev"; \
	    apt-get install -y libmicrohttpd-dev >/dev/null || \
	    { apt-get update >/dev/null && apt-get install -y libmicrohttpd-dev >/dev/null; }; \
	fi
	@touch $@

$(BUILD)/httpd/%.o: $(HTTPD_DIR)/%.c $(HTTPD_DIR)/httpd.h include/kplug.h $(BUILD)/httpd/.deps
	@mkdir -p $(dir $@)
	$(CC) $(KPCFLAGS) -c $< -o $@

# The native transform of ?native=gray is the plugin's own source
# (examples/gray.c) compiled by the C compiler, renamed.
$(BUILD)/httpd/native_gray.o: examples/gray.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -fPIC $(CFLAGS) -Dfilter=hd_native_gray -c $< -o $@

$(BUILD)/kplug-httpd: $(HTTPD_OBJ) $(BUILD)/libkplug.a
	$(CC) $(CFLAGS) -o $@ $(HTTPD_OBJ) $(BUILD)/libkplug.a -lmicrohttpd $(LDLIBS)

$(BUILD)/httpd/mkimage: $(HTTPD_DIR)/mkimage.c
	@mkdir -p $(dir $@)
	$(CC) $(KPCFLAGS) -o $@ $<

$(HTTPD_WWW)/img-9k.ppm: $(BUILD)/httpd/mkimage
	@mkdir -p $(dir $@)
	$< 55 55 > $@
$(HTTPD_WWW)/img-99k.ppm: $(BUILD)/httpd/mkimage
	@mkdir -p $(dir $@)
	$< 182 182 > $@
$(HTTPD_WWW)/img-270k.ppm: $(BUILD)/httpd/mkimage
	@mkdir -p $(dir $@)
	$< 300 300 > $@
$(HTTPD_WWW)/img-3300k.ppm: $(BUILD)/httpd/mkimage
	@mkdir -p $(dir $@)
	$< 1050 1050 > $@
$(HTTPD_WWW)/sample.ppm: examples/images/sample.ppm
	@mkdir -p $(dir $@)
	cp $< $@

httpd: $(BUILD)/kplug-httpd $(HTTPD_IMAGES)

# The server's own code under ASan + UBSan (the library as built), for the
# test suite's sanitizer pass.
HTTPD_SAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=undefined
HTTPD_SAN_OBJ := $(patsubst $(BUILD)/httpd/%.o,$(BUILD)/httpd-asan/%.o,$(filter-out %/native_gray.o,$(HTTPD_OBJ)))

$(BUILD)/httpd-asan/%.o: $(HTTPD_DIR)/%.c $(HTTPD_DIR)/httpd.h include/kplug.h $(BUILD)/httpd/.deps
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -Iinclude $(HTTPD_SAN) -c $< -o $@

$(BUILD)/kplug-httpd-asan: $(HTTPD_SAN_OBJ) $(BUILD)/httpd/native_gray.o $(BUILD)/libkplug.a
	$(CC) $(HTTPD_SAN) -o $@ $^ -lmicrohttpd $(LDLIBS)

httpd-asan: $(BUILD)/kplug-httpd-asan

# The macro-benchmark alone (also part of `make bench`).
bench-httpd: all httpd
	@BUILD=$(BUILD) CC="$(CC)" QUICK=$(QUICK) bench/httpd_bench.sh

run: all httpd
	@BUILD=$(BUILD) PORT=$(PORT) $(HTTPD_DIR)/run.sh

.PHONY: httpd httpd-asan run bench-httpd
