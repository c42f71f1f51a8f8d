# spf area: see lib/Makefile.inc
