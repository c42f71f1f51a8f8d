# Fuzz targets (tests/fuzz/): one libFuzzer entry point per parser, each
# with a seed corpus in tests/fuzz/corpus/<target>/.
#
# Without --enable-fuzzers each target links tests/fuzz/replay.c and
# replays its corpus in `make check` (TAP, one line per corpus file).
# With --enable-fuzzers (CC=clang) they are real libFuzzer binaries:
# `make check` runs each over its corpus once (tests/fuzz/corpus.sh), and
# `make fuzz` fuzzes each for FUZZ_TIME seconds (not part of check):
#
#	make fuzz FUZZ_TIME=180 [FUZZ_TARGETS="spf_record authres"]
#
# New inputs go to $(builddir)/tests/fuzz/work/<target>/, crashes to
# $(builddir)/tests/fuzz/artifacts/; copy the interesting ones into the
# seed corpus by hand.

FUZZ_TARGET_NAMES = spf_record spf_macro spf_check dmarc_record \
	rfc5322_from authres milter_conf
FUZZ_BINS = \
	tests/fuzz/fuzz_spf_record \
	tests/fuzz/fuzz_spf_macro \
	tests/fuzz/fuzz_spf_check \
	tests/fuzz/fuzz_dmarc_record \
	tests/fuzz/fuzz_rfc5322_from \
	tests/fuzz/fuzz_authres \
	tests/fuzz/fuzz_milter_conf

noinst_HEADERS += tests/fuzz/fuzz.h
check_PROGRAMS += $(FUZZ_BINS)

if ENABLE_FUZZERS
FUZZ_MAIN =
FUZZ_LINK = $(FUZZ_LDFLAGS)
TESTS += tests/fuzz/corpus.sh
else
FUZZ_MAIN = tests/fuzz/replay.c
FUZZ_LINK =
TESTS += $(FUZZ_BINS)
endif
EXTRA_DIST += tests/fuzz/replay.c tests/fuzz/corpus.sh tests/fuzz/corpus

tests_fuzz_fuzz_spf_record_SOURCES = tests/fuzz/fuzz_spf_record.c $(FUZZ_MAIN)
tests_fuzz_fuzz_spf_record_LDADD = $(TEST_LIBS)
tests_fuzz_fuzz_spf_record_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_spf_macro_SOURCES = tests/fuzz/fuzz_spf_macro.c $(FUZZ_MAIN)
tests_fuzz_fuzz_spf_macro_LDADD = $(TEST_LIBS)
tests_fuzz_fuzz_spf_macro_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_spf_check_SOURCES = tests/fuzz/fuzz_spf_check.c $(FUZZ_MAIN)
tests_fuzz_fuzz_spf_check_LDADD = $(TEST_LIBS)
tests_fuzz_fuzz_spf_check_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_dmarc_record_SOURCES = tests/fuzz/fuzz_dmarc_record.c $(FUZZ_MAIN)
tests_fuzz_fuzz_dmarc_record_LDADD = $(TEST_LIBS)
tests_fuzz_fuzz_dmarc_record_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_rfc5322_from_SOURCES = tests/fuzz/fuzz_rfc5322_from.c $(FUZZ_MAIN)
tests_fuzz_fuzz_rfc5322_from_LDADD = $(TEST_LIBS)
tests_fuzz_fuzz_rfc5322_from_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_authres_SOURCES = tests/fuzz/fuzz_authres.c $(FUZZ_MAIN)
tests_fuzz_fuzz_authres_LDADD = $(TEST_LIBS)
tests_fuzz_fuzz_authres_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
# the milter's configuration parser, from the milter's own source
tests_fuzz_fuzz_milter_conf_SOURCES = tests/fuzz/fuzz_milter_conf.c \
	milter/conf.c milter/conf.h $(FUZZ_MAIN)
tests_fuzz_fuzz_milter_conf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/milter \
	-DSYSCONFDIR='"$(sysconfdir)"'
tests_fuzz_fuzz_milter_conf_LDADD = $(TEST_LIBS) $(PTHREAD_LIBS)
tests_fuzz_fuzz_milter_conf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)

AM_TESTS_ENVIRONMENT += \
	FUZZ_TARGETS='$(FUZZ_TARGET_NAMES)'; export FUZZ_TARGETS;

# make fuzz: each target for FUZZ_TIME seconds (libFuzzer builds only).
FUZZ_TIME = 60
FUZZ_TARGETS = $(FUZZ_TARGET_NAMES)
FUZZ_FLAGS =
.PHONY: fuzz
if ENABLE_FUZZERS
fuzz: $(FUZZ_BINS)
	@mkdir -p tests/fuzz/artifacts; \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p tests/fuzz/work/$$t; \
		echo "== fuzz_$$t: $(FUZZ_TIME) s"; \
		./tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
		    -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		    -artifact_prefix=tests/fuzz/artifacts/$$t- $(FUZZ_FLAGS) \
		    tests/fuzz/work/$$t $(abs_top_srcdir)/tests/fuzz/corpus/$$t \
		    2>tests/fuzz/work/$$t.log || { \
			tail -n 40 tests/fuzz/work/$$t.log; exit 1; }; \
		grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|stat::peak_rss_mb)|cov:' \
		    tests/fuzz/work/$$t.log | tail -n 5; \
	done
else
fuzz:
	@echo "make fuzz needs a libFuzzer build: CC=clang ./configure --enable-fuzzers" >&2; exit 1
endif
