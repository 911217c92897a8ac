# rollsafe - one non-recursive Makefile.
#
#   make                 build build/rollsafe (optimised, with debug info)
#   make check           build with ASan + UBSan and run the whole test suite
#   make example         run rollsafe check on the bundled example project
#   make bench           time check against the parser floor over ../shared/corpora
#   make valgrind        the test suite under valgrind
#   make fuzz            run the libFuzzer targets for a bounded time (clang)
#   make lint | format   cppcheck + clang-tidy | clang-format
#   make update-golden   rewrite the expected output of the golden tests (review the diff!)
#   make install         install the binary (PREFIX=/usr/local)
#
# System packages: scripts/setup installs what is missing.

CC       ?= cc
PREFIX   ?= /usr/local
WERROR   ?=
CSTD      = -std=c17 -D_GNU_SOURCE
WARN      = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
            -Wwrite-strings -Wformat=2 -Wno-format-nonliteral $(WERROR)
# libpq's header only: the library is dlopen'ed when drill needs it (lib/pg/pq.h), so that check
# does not pay for loading it and the TLS, Kerberos and LDAP libraries it brings.
PQ_CFLAGS := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
DEP_CFLAGS = $(PQ_CFLAGS)
# libpg_query has no pkg-config file; it exports the protobuf-c runtime itself.
# jansson and libyaml are linked in when their static archives are there (Debian's -dev
# packages ship them): a run of `rollsafe check` is a few milliseconds, and loading two more
# shared libraries at every start cost a tenth of a millisecond of it.
comma := ,
static_or_dynamic = $(if $(filter /%,$(shell $(CC) -print-file-name=lib$(1).a)),-Wl$(comma)-Bstatic -l$(1) -Wl$(comma)-Bdynamic,-l$(1))
LIBS      := -lpg_query $(call static_or_dynamic,jansson) $(call static_or_dynamic,yaml) -lm -ldl

CPPFLAGS += -Iinclude -Ilib $(DEP_CFLAGS) -MMD -MP

MODE ?= release
ifeq ($(MODE),asan)
  OUT     = build/asan
  CFLAGS += -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
else
  OUT     = build
  CFLAGS += -O2 -g
endif
CFLAGS += $(CSTD) $(WARN) -pthread
LDFLAGS += -pthread

LIB_SRC  := $(sort $(wildcard lib/*.c lib/*/*.c lib/*/*/*.c))
CLI_SRC  := $(sort $(wildcard src/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(OUT)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(OUT)/obj/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(OUT)/obj/%.o)

LIBA     := $(OUT)/librollsafe.a
BIN      := $(OUT)/rollsafe
UNIT     := $(OUT)/unit-tests
PARSEFLOOR := $(OUT)/parse-floor

.PHONY: all check example bench valgrind fuzz lint format update-golden install clean docs

all: $(BIN)

V ?= 0
ifeq ($(V),0)
  Q = @
  SAY = @echo
else
  Q =
  SAY = @true
endif

$(OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(SAY) "  AR      $@"
	$(Q)ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBA)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBA) $(LIBS)

$(UNIT): $(UNIT_OBJ) $(LIBA)
	$(SAY) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(LIBA) $(LIBS)

$(PARSEFLOOR): $(OUT)/obj/tests/tools/parse_floor.o
	$(CC) $(LDFLAGS) -o $@ $< $(LIBS)

check:
	@$(MAKE) --no-print-directory MODE=asan build/asan/rollsafe build/asan/unit-tests
	@tests/run build/asan

valgrind:
	@$(MAKE) --no-print-directory build/rollsafe build/unit-tests
	@VALGRIND=1 tests/run build

example: $(BIN)
	@$(BIN) check --previous-queries examples/shop/app examples/shop/migrations; \
	  rc=$$?; [ $$rc -le 1 ] || exit $$rc; \
	  echo; echo "(exit code $$rc: 1 means unapproved findings at or above --fail-on, as expected for this example)"

bench: $(BIN) $(PARSEFLOOR)
	@tests/bench.sh $(BIN) $(PARSEFLOOR)

update-golden: $(BIN)
	@UPDATE_GOLDEN=1 tests/run build

docs: $(BIN)
	@$(BIN) explain --write-docs docs/rules

fuzz:
	@tests/fuzz/run.sh

lint:
	cppcheck --quiet --enable=warning,performance,portability --std=c11 -Iinclude -Ilib \
	  --suppress=missingIncludeSystem --inline-suppr lib src
	clang-tidy --quiet $(LIB_SRC) $(CLI_SRC) -- $(CPPFLAGS) $(CSTD)

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) $(wildcard lib/*.h lib/*/*.h include/rollsafe/*.h)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/rollsafe

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
