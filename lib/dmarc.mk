# dmarc area: see lib/Makefile.inc
