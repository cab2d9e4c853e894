/* test_host - the host model: classes, macros, lookups, JSON field names */
#include "testutil.h"

#include "../../convert/lib/model/host.h"

static void test_classes(void **state)
{
	struct host h;
	struct host_class *w, *r;
	const struct host_class *c;
	static const struct {
		const char *word;
		int added;
	} adds[] = {
		{ "Example.COM", 1 }, { "example.com", 0 }, { "EXAMPLE.COM", 0 }, { "other.example", 1 },
		{ "[192.0.2.1]", 1 }, { "other.example", 0 },
	};
	size_t i;

	(void)state;
	host_init(&h);
	w = host_class_make(&h, "w");
	assert_non_null(w);
	for (i = 0; i < sizeof(adds) / sizeof(adds[0]); i++)
		assert_int_equal(host_class_add(w, adds[i].word, strlen(adds[i].word), HOST_SRC_CF,
						"/cf", i + 1, NULL),
				 adds[i].added);
	/* make many classes: the array moves, lookups still work */
	for (i = 0; i < 100; i++) {
		char n[16];

		snprintf(n, sizeof(n), "c%zu", i);
		r = host_class_make(&h, n);
		assert_non_null(r);
		assert_int_equal(host_class_add(r, n, strlen(n), HOST_SRC_FILE, "/f", 1, NULL), 1);
	}
	assert_ptr_equal(host_class_make(&h, "w"), host_class_get(&h, "w"));
	c = host_class_get(&h, "w");
	assert_int_equal(c->n, 3);
	assert_string_equal(c->v[0].word, "Example.COM");	/* the first spelling */
	assert_int_equal(c->v[0].line, 1);
	assert_string_equal(c->v[0].file, "/cf");
	assert_true(host_class_has(&h, "w", "EXAMPLE.com", 11));
	assert_false(host_class_has(&h, "w", "example", 7));
	assert_false(host_class_has(&h, "W", "example.com", 11));	/* names are case-sensitive */
	assert_null(host_class_get(&h, "nonesuch"));
	assert_true(host_class_has(&h, "c99", "C99", 3));
	assert_int_equal(h.nclasses, 101);
	host_free(&h);
}

static void test_macros_lookups(void **state)
{
	struct host h;
	struct host_macro *m;
	size_t i;

	(void)state;
	host_init(&h);
	assert_int_equal(h.blanksub, ' ');
	assert_non_null(host_macro_set(&h, "j", "first", "/cf", 1));
	assert_non_null(host_macro_set(&h, "S", "smart", "/cf", 2));
	m = host_macro_set(&h, "j", "second", "/cf", 3);
	assert_non_null(m);
	assert_int_equal(h.nmacros, 2);
	assert_string_equal(host_macro_get(&h, "j")->raw, "second");
	assert_int_equal(host_macro_get(&h, "j")->line, 3);
	assert_ptr_equal(&h.macros[0], host_macro_get(&h, "j"));
	assert_null(host_macro_get(&h, "J"));
	/* privacy: goaway implies novrfy, noexpn ... but not restrictqrun */
	h.privacy = calloc(1, sizeof(char *));
	h.privacy[0] = strdup("goaway");
	h.nprivacy = 1;
	assert_true(host_has_privacy(&h, "novrfy"));
	assert_true(host_has_privacy(&h, "NOEXPN"));
	assert_false(host_has_privacy(&h, "restrictqrun"));
	/* feature names: all set, all distinct */
	for (i = 0; i < HF_COUNT; i++) {
		size_t j;

		assert_string_not_equal(host_feature_name(i), "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(host_feature_name(i), host_feature_name(j));
	}
	assert_string_equal(host_feature_name(HF_COUNT), "?");
	host_free(&h);
	assert_int_equal(h.nmacros, 0);
}

/* the JSON names are an interface: s2q-cf(8) and MIGRATION.md document them */
static void test_json(void **state)
{
	struct host h;
	struct host_class *w;
	buf b = BUF_INIT;
	static const char *const keys[] = {
		"\"cf\":\"/etc/mail/sendmail.cf\"", "\"config_level\":10", "\"vendor\":null",
		("\"identity\":{\"hostname\":\"mx.example\",\"nodename\":null,\"j\":\"mx.example\","
		 "\"w\":\"mx\",\"m\":\"example\"}"),
		"\"class_w\":[{\"word\":\"a.\\\"q\\\"\",\"source\":\"file\",\"file\":\"/lhn\",\"line\":2}]",
		"\"class_VirtHost\":[]", "\"class_R\":[]", "\"smart_host\":null",
		"\"max_message_size\":0", "\"forward_path\":null", "\"privacy_options\":[]",
		"\"blank_sub\":\" \"", "\"alias_files\":[]", "\"features\":{\"virtusertable\":false,",
		"\"MASQUERADE_AS\":false}", "\"maps\":[]", "\"mailers\":[]", "\"macros\":[]",
		"\"classes\":{\"w\":[", "\"options\":[]", "\"rulesets\":[]", "\"rules\":0}",
	};
	size_t i;

	(void)state;
	host_init(&h);
	h.cf = strdup("/etc/mail/sendmail.cf");
	h.config_level = 10;
	h.hostname = strdup("mx.example");
	h.j = strdup("mx.example");
	h.w = strdup("mx");
	h.m = strdup("example");
	w = host_class_make(&h, "w");
	host_class_add(w, "a.\"q\"", 5, HOST_SRC_FILE, "/lhn", 2, NULL);
	assert_int_equal(host_json(&b, &h), 0);
	buf_append_c(&b, '\0');
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strstr(b.s, keys[i]) == NULL)
			fail_msg("JSON lacks %s:\n%s", keys[i], b.s);
	assert_int_equal(b.s[0], '{');
	buf_reset(&b);
	assert_int_equal(host_text(&b, &h), 0);
	buf_append_c(&b, '\0');
	assert_non_null(strstr(b.s, "class w (local)       a.\"q\"\n"));
	assert_non_null(strstr(b.s, "features              (none)\n"));
	buf_free(&b);
	host_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_macros_lookups),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
