# Benchmark (issue 9): `make bench` -- never part of `make check`.
# The load generator and the do-nothing ceiling filter are check programs,
# so `make check` compiles them (and the lint reads them) without running
# anything; `make bench` builds them and runs tests/bench/run.sh, which
# starts the bench DNS world, the filters and a resolver inside a network
# namespace of its own and writes tests/bench/results.json here.
check_PROGRAMS += tests/bench/loadgen tests/bench/nullfilter
tests_bench_loadgen_SOURCES = tests/bench/loadgen.c \
	tests/milterclient/milterclient.c tests/milterclient/milterclient.h
tests_bench_loadgen_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/milterclient
tests_bench_loadgen_LDADD = $(PTHREAD_LIBS)
tests_bench_nullfilter_SOURCES = tests/bench/nullfilter.c
tests_bench_nullfilter_CFLAGS = $(AM_CFLAGS) $(MILTER_CFLAGS)
tests_bench_nullfilter_LDADD = $(MILTER_LIBS) $(PTHREAD_LIBS)

EXTRA_DIST += tests/bench/run.sh tests/bench/genworld.sh tests/bench/README.md

BENCH_PROGS = tests/bench/loadgen tests/bench/nullfilter

.PHONY: bench
bench: all $(BENCH_PROGS)
	@mkdir -p tests/bench
	BENCH_BUILDDIR='$(abs_top_builddir)' \
	BENCH_MILTER='$(abs_top_builddir)/milter/spfdmarc-milter' \
	$(SHELL) $(top_srcdir)/tests/bench/run.sh $(BENCH_ARGS)
