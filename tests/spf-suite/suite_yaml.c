/*
 * suite_yaml.c: read rfc7208-tests.yml (a stream of YAML documents, one
 * scenario each) into struct suite, with libyaml's document API. Scalars
 * are kept as bytes with their length: the suite writes "\x00" and other
 * escapes inside double-quoted strings, which libyaml turns into the
 * UTF-8 of the code point, as PyYAML (and so pyspf's driver) does.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "suite.h"

struct suite_loader {
	struct suite *suite;
	yaml_document_t *doc;
	char *err;
	size_t errsize;
	size_t cap;			/* scenarios allocated */
};

static int
suite_fail(struct suite_loader *l, const yaml_node_t *node, const char *what)
{
	if (node != NULL)
		(void)snprintf(l->err, l->errsize, "line %lu: %s",
		    (unsigned long)node->start_mark.line + 1, what);
	else
		(void)snprintf(l->err, l->errsize, "%s", what);
	return -1;
}

static yaml_node_t *
suite_node(struct suite_loader *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

static bool
suite_is_scalar(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE;
}

/* Does a scalar node equal the text key? */
static bool
suite_key_is(const yaml_node_t *n, const char *key)
{
	return suite_is_scalar(n) && n->data.scalar.length == strlen(key) &&
	    memcmp(n->data.scalar.value, key, n->data.scalar.length) == 0;
}

static int
suite_scalar(struct suite_loader *l, const yaml_node_t *n,
    struct suite_str *out)
{
	char *s;

	if (!suite_is_scalar(n))
		return suite_fail(l, n, "a text value was expected");
	s = spfdmarc_arena_strndup(l->suite->arena,
	    (const char *)n->data.scalar.value, n->data.scalar.length);
	if (s == NULL)
		return suite_fail(l, n, "out of memory");
	out->s = s;
	out->len = n->data.scalar.length;
	return 0;
}

/* A scalar that must not hold a NUL byte, as a C string. */
static int
suite_cstr(struct suite_loader *l, const yaml_node_t *n, const char **out)
{
	struct suite_str v;

	if (suite_scalar(l, n, &v) != 0)
		return -1;
	if (strlen(v.s) != v.len)
		return suite_fail(l, n, "a NUL byte where none can be");
	*out = v.s;
	return 0;
}

static size_t
suite_seq_len(const yaml_node_t *n)
{
	return (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
}

static size_t
suite_map_len(const yaml_node_t *n)
{
	return (size_t)(n->data.mapping.pairs.top -
	    n->data.mapping.pairs.start);
}

static int
suite_load_test(struct suite_loader *l, const yaml_node_t *key,
    const yaml_node_t *map, struct suite_test *t)
{
	bool have_host = false, have_mailfrom = false, have_helo = false;

	memset(t, 0, sizeof(*t));
	if (suite_cstr(l, key, &t->name) != 0)
		return -1;
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return suite_fail(l, map, "a test must be a mapping");
	t->spec = "";
	for (size_t i = 0; i < suite_map_len(map); i++) {
		const yaml_node_pair_t *p = &map->data.mapping.pairs.start[i];
		yaml_node_t *k = suite_node(l, p->key);
		yaml_node_t *v = suite_node(l, p->value);
		int rc = 0;

		if (suite_key_is(k, "spec")) {
			rc = suite_cstr(l, v, &t->spec);
		} else if (suite_key_is(k, "host")) {
			rc = suite_cstr(l, v, &t->host);
			have_host = true;
		} else if (suite_key_is(k, "mailfrom")) {
			rc = suite_scalar(l, v, &t->mailfrom);
			have_mailfrom = true;
		} else if (suite_key_is(k, "helo")) {
			rc = suite_scalar(l, v, &t->helo);
			have_helo = true;
		} else if (suite_key_is(k, "explanation")) {
			rc = suite_scalar(l, v, &t->explanation);
			t->has_explanation = true;
		} else if (suite_key_is(k, "result")) {
			if (suite_is_scalar(v)) {
				rc = suite_cstr(l, v, &t->results[0]);
				t->nresults = 1;
			} else if (v != NULL && v->type ==
			    YAML_SEQUENCE_NODE) {
				size_t n = suite_seq_len(v);

				if (n == 0 || n > SUITE_RESULTS_MAX)
					return suite_fail(l, v, "a result list "
					    "of 1 to 8 results was expected");
				for (size_t j = 0; j < n && rc == 0; j++)
					rc = suite_cstr(l, suite_node(l,
					    v->data.sequence.items.start[j]),
					    &t->results[j]);
				t->nresults = n;
			} else {
				return suite_fail(l, v, "bad result");
			}
		}
		/* description, comment, strict (pyspf only): not used. */
		if (rc != 0)
			return -1;
	}
	if (!have_host || !have_mailfrom || !have_helo || t->nresults == 0)
		return suite_fail(l, map, "a test needs host, mailfrom, helo "
		    "and result");
	return 0;
}

static int
suite_load_entry(struct suite_loader *l, const yaml_node_t *n,
    struct suite_entry *e)
{
	const yaml_node_t *k, *v;
	const yaml_node_pair_t *p;
	size_t nv;

	memset(e, 0, sizeof(*e));
	if (suite_key_is(n, "TIMEOUT")) {
		e->timeout = true;
		return 0;
	}
	if (n == NULL || n->type != YAML_MAPPING_NODE || suite_map_len(n) != 1)
		return suite_fail(l, n, "a zonedata entry is TIMEOUT or "
		    "one TYPE: value");
	p = n->data.mapping.pairs.start;
	k = suite_node(l, p->key);
	v = suite_node(l, p->value);
	if (!suite_is_scalar(k) || k->data.scalar.length >= sizeof(e->type) ||
	    suite_type_index((const char *)k->data.scalar.value) < 0 ||
	    strlen((const char *)k->data.scalar.value) !=
	    k->data.scalar.length)
		return suite_fail(l, k, "unknown record type in zonedata");
	memcpy(e->type, k->data.scalar.value, k->data.scalar.length);
	e->type[k->data.scalar.length] = '\0';
	if (suite_is_scalar(v)) {
		e->values = spfdmarc_arena_calloc(l->suite->arena, 1,
		    sizeof(*e->values));
		if (e->values == NULL)
			return suite_fail(l, v, "out of memory");
		e->nvalues = 1;
		return suite_scalar(l, v, &e->values[0]);
	}
	if (v == NULL || v->type != YAML_SEQUENCE_NODE)
		return suite_fail(l, v, "a record value is text or a list");
	nv = suite_seq_len(v);
	if (nv > SUITE_STRINGS_MAX)
		return suite_fail(l, v, "too many values in a record");
	e->is_list = true;
	e->values = spfdmarc_arena_calloc(l->suite->arena, nv == 0 ? 1 : nv,
	    sizeof(*e->values));
	if (e->values == NULL)
		return suite_fail(l, v, "out of memory");
	for (size_t i = 0; i < nv; i++) {
		if (suite_scalar(l, suite_node(l,
		    v->data.sequence.items.start[i]), &e->values[i]) != 0)
			return -1;
	}
	e->nvalues = nv;
	if (strcmp(e->type, "MX") == 0 && nv != 2)
		return suite_fail(l, v, "MX wants [preference, name]");
	if (strcmp(e->type, "TXT") != 0 && strcmp(e->type, "SPF") != 0 &&
	    strcmp(e->type, "MX") != 0)
		return suite_fail(l, v, "only TXT, SPF and MX take a list");
	return 0;
}

static int
suite_load_name(struct suite_loader *l, const yaml_node_t *key,
    const yaml_node_t *list, struct suite_name *nm)
{
	size_t n;

	memset(nm, 0, sizeof(*nm));
	if (suite_scalar(l, key, &nm->name) != 0)
		return -1;
	if (list == NULL || list->type != YAML_SEQUENCE_NODE)
		return suite_fail(l, list, "zonedata of a name is a list");
	n = suite_seq_len(list);
	nm->entries = spfdmarc_arena_calloc(l->suite->arena, n == 0 ? 1 : n,
	    sizeof(*nm->entries));
	if (nm->entries == NULL)
		return suite_fail(l, list, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (suite_load_entry(l, suite_node(l,
		    list->data.sequence.items.start[i]), &nm->entries[i]) != 0)
			return -1;
	}
	nm->nentries = n;
	return 0;
}

static int
suite_load_scenario(struct suite_loader *l, const yaml_node_t *root,
    struct suite_scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->description = "";
	if (root->type != YAML_MAPPING_NODE)
		return suite_fail(l, root, "a scenario must be a mapping");
	for (size_t i = 0; i < suite_map_len(root); i++) {
		const yaml_node_pair_t *p = &root->data.mapping.pairs.start[i];
		yaml_node_t *k = suite_node(l, p->key);
		yaml_node_t *v = suite_node(l, p->value);

		if (suite_key_is(k, "description")) {
			if (suite_cstr(l, v, &sc->description) != 0)
				return -1;
		} else if (suite_key_is(k, "tests")) {
			size_t n;

			if (v == NULL || v->type != YAML_MAPPING_NODE)
				return suite_fail(l, v, "tests: a mapping");
			n = suite_map_len(v);
			sc->tests = spfdmarc_arena_calloc(l->suite->arena,
			    n == 0 ? 1 : n, sizeof(*sc->tests));
			if (sc->tests == NULL)
				return suite_fail(l, v, "out of memory");
			for (size_t j = 0; j < n; j++) {
				const yaml_node_pair_t *tp =
				    &v->data.mapping.pairs.start[j];

				if (suite_load_test(l, suite_node(l, tp->key),
				    suite_node(l, tp->value),
				    &sc->tests[j]) != 0)
					return -1;
			}
			sc->ntests = n;
		} else if (suite_key_is(k, "zonedata")) {
			size_t n;

			if (v == NULL || v->type != YAML_MAPPING_NODE)
				return suite_fail(l, v, "zonedata: a mapping");
			n = suite_map_len(v);
			sc->names = spfdmarc_arena_calloc(l->suite->arena,
			    n == 0 ? 1 : n, sizeof(*sc->names));
			if (sc->names == NULL)
				return suite_fail(l, v, "out of memory");
			for (size_t j = 0; j < n; j++) {
				const yaml_node_pair_t *zp =
				    &v->data.mapping.pairs.start[j];

				if (suite_load_name(l, suite_node(l, zp->key),
				    suite_node(l, zp->value),
				    &sc->names[j]) != 0)
					return -1;
			}
			sc->nnames = n;
		}
	}
	if (sc->ntests == 0)
		return suite_fail(l, root, "a scenario without tests");
	return 0;
}

static int
suite_add_scenario(struct suite_loader *l, const yaml_node_t *root)
{
	struct suite *s = l->suite;

	if (s->nscenarios == l->cap) {
		size_t cap = l->cap == 0 ? 32 : l->cap * 2;
		struct suite_scenario *sc;

		sc = spfdmarc_arena_calloc(s->arena, cap, sizeof(*sc));
		if (sc == NULL)
			return suite_fail(l, root, "out of memory");
		if (s->nscenarios > 0)
			memcpy(sc, s->scenarios,
			    s->nscenarios * sizeof(*sc));
		s->scenarios = sc;
		l->cap = cap;
	}
	if (suite_load_scenario(l, root, &s->scenarios[s->nscenarios]) != 0)
		return -1;
	s->nscenarios++;
	return 0;
}

int
suite_load(struct suite *suite, const char *text, size_t len, char *err,
    size_t errsize)
{
	struct suite_loader l = { .suite = suite, .err = err,
	    .errsize = errsize };
	yaml_parser_t parser;
	int rc = 0;

	memset(suite, 0, sizeof(*suite));
	suite->arena = spfdmarc_arena_new(0);
	if (suite->arena == NULL) {
		(void)snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		(void)snprintf(err, errsize, "cannot initialize libyaml");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	for (;;) {
		yaml_document_t doc;
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			(void)snprintf(err, errsize, "YAML line %lu: %s",
			    (unsigned long)parser.problem_mark.line + 1,
			    parser.problem != NULL ? parser.problem :
			    "syntax error");
			rc = -1;
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (root == NULL) {		/* the end of the stream */
			yaml_document_delete(&doc);
			break;
		}
		l.doc = &doc;
		rc = suite_add_scenario(&l, root);
		yaml_document_delete(&doc);
		if (rc != 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc == 0 && suite->nscenarios == 0) {
		(void)snprintf(err, errsize, "no scenario in the suite");
		rc = -1;
	}
	return rc;
}

void
suite_free(struct suite *suite)
{
	spfdmarc_arena_free(suite->arena);
	memset(suite, 0, sizeof(*suite));
}
