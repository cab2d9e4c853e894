/* model/host - what sendmail.cf and the files it names say about the host, as plain data */
#include "host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/diag.h"

static const char *const feature_names[HF_COUNT] = {
	[HF_VIRTUSERTABLE] = "virtusertable",
	[HF_VIRTUSER_ENTIRE_DOMAIN] = "virtuser_entire_domain",
	[HF_MAILERTABLE] = "mailertable",
	[HF_GENERICSTABLE] = "genericstable",
	[HF_GENERICS_ENTIRE_DOMAIN] = "generics_entire_domain",
	[HF_DOMAINTABLE] = "domaintable",
	[HF_ACCESS_DB] = "access_db",
	[HF_BLOCKLIST_RECIPIENTS] = "blocklist_recipients",
	[HF_DELAY_CHECKS] = "delay_checks",
	[HF_USE_CW_FILE] = "use_cw_file",
	[HF_USE_CT_FILE] = "use_ct_file",
	[HF_MASQUERADE_ENVELOPE] = "masquerade_envelope",
	[HF_MASQUERADE_ENTIRE_DOMAIN] = "masquerade_entire_domain",
	[HF_LIMITED_MASQUERADE] = "limited_masquerade",
	[HF_ALLMASQUERADE] = "allmasquerade",
	[HF_STICKYHOST] = "stickyhost",
	[HF_PRESERVE_LOCAL_PLUS_DETAIL] = "preserve_local_plus_detail",
	[HF_PRESERVE_LUSER_HOST] = "preserve_luser_host",
	[HF_NOCANONIFY] = "nocanonify",
	[HF_RELAY_ENTIRE_DOMAIN] = "relay_entire_domain",
	[HF_RELAY_HOSTS_ONLY] = "relay_hosts_only",
	[HF_RELAY_BASED_ON_MX] = "relay_based_on_MX",
	[HF_RELAY_LOCAL_FROM] = "relay_local_from",
	[HF_RELAY_MAIL_FROM] = "relay_mail_from",
	[HF_LOOSE_RELAY_CHECK] = "loose_relay_check",
	[HF_PROMISCUOUS_RELAY] = "promiscuous_relay",
	[HF_ACCEPT_UNRESOLVABLE_DOMAINS] = "accept_unresolvable_domains",
	[HF_ACCEPT_UNQUALIFIED_SENDERS] = "accept_unqualified_senders",
	[HF_REDIRECT] = "redirect",
	[HF_NOUUCP] = "nouucp",
	[HF_NOPERCENTHACK] = "nopercenthack",
	[HF_NULLCLIENT] = "nullclient",
	[HF_SMRSH] = "smrsh",
	[HF_LOCAL_PROCMAIL] = "local_procmail",
	[HF_LUSER_RELAY] = "LUSER_RELAY",
	[HF_MAIL_HUB] = "MAIL_HUB",
	[HF_LOCAL_RELAY] = "LOCAL_RELAY",
	[HF_SMART_HOST] = "SMART_HOST",
	[HF_MASQUERADE_AS] = "MASQUERADE_AS",
};

const char *host_feature_name(enum host_feature f)
{
	return (f >= 0 && f < HF_COUNT) ? feature_names[f] : "?";
}

void host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	hset_init(&h->classidx);
	hset_init(&h->macroidx);
	h->blanksub = ' ';
}

static void route_free(struct host_route *r)
{
	free(r->raw);
	free(r->mailer);
	free(r->host);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void host_free(struct host *h)
{
	size_t i, j;

	free(h->cf);
	free(h->vendor);
	free(h->hostname);
	free(h->nodename);
	free(h->j);
	free(h->w);
	free(h->m);
	free(h->local_mailer);
	for (i = 0; i < h->nclasses; i++) {
		struct host_class *c = &h->classes[i];

		for (j = 0; j < c->n; j++) {
			free(c->v[j].word);
			free(c->v[j].file);
			free(c->v[j].via);
		}
		free(c->v);
		free(c->name);
		hset_free(&c->idx);
	}
	free(h->classes);
	hset_free(&h->classidx);
	for (i = 0; i < h->nmacros; i++) {
		free(h->macros[i].name);
		free(h->macros[i].raw);
		free(h->macros[i].value);
		free(h->macros[i].file);
	}
	free(h->macros);
	hset_free(&h->macroidx);
	route_free(&h->smart_host);
	route_free(&h->mail_hub);
	route_free(&h->local_relay);
	route_free(&h->luser_relay);
	free(h->masquerade_as);
	for (i = 0; i < h->nmaps; i++) {
		struct host_map *m = &h->maps[i];

		free(m->name);
		free(m->mclass);
		free(m->args);
		strv_free(m->flags, m->nflags);
		free(m->append);
		free(m->tmpf);
		free(m->path);
		free(m->source);
		free(m->rest);
		free(m->file);
	}
	free(h->maps);
	for (i = 0; i < h->noptions; i++) {
		free(h->options[i].name);
		free(h->options[i].sub);
		free(h->options[i].value);
		free(h->options[i].file);
	}
	free(h->options);
	for (i = 0; i < h->naliasfiles; i++) {
		free(h->aliasfiles[i].mclass);
		free(h->aliasfiles[i].spec);
		free(h->aliasfiles[i].file);
	}
	free(h->aliasfiles);
	free(h->forward_path);
	strv_free(h->privacy, h->nprivacy);
	free(h->default_user);
	for (i = 0; i < h->nmailers; i++) {
		free(h->mailers[i].name);
		free(h->mailers[i].path);
		free(h->mailers[i].flags);
		free(h->mailers[i].argv);
		free(h->mailers[i].eol);
		free(h->mailers[i].file);
	}
	free(h->mailers);
	strv_free(h->rulesets, h->nrulesets);
	strv_free(h->m4files, h->nm4files);
	host_init(h);
}

/* lower - ASCII lower-case copy of s[0..n) into b */
static int lower(buf *b, const char *s, size_t n)
{
	size_t i;

	buf_reset(b);
	if (buf_ready(b, n + 1) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];

		b->s[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	b->len = n;
	return 0;
}

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
		char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

const struct host_class *host_class_get(const struct host *h, const char *name)
{
	unsigned long i;

	if (hset_get(&h->classidx, name, strlen(name), &i) == 1)
		return &h->classes[i];
	return NULL;
}

int host_class_has(const struct host *h, const char *name, const char *word, size_t len)
{
	const struct host_class *c = host_class_get(h, name);
	buf b = BUF_INIT;
	unsigned long i;
	int r = 0;

	if (c == NULL)
		return 0;
	if (lower(&b, word, len) == 0)
		r = hset_get(&c->idx, b.s, b.len, &i) == 1;
	buf_free(&b);
	return r;
}

const struct host_macro *host_macro_get(const struct host *h, const char *name)
{
	unsigned long i;

	if (hset_get(&h->macroidx, name, strlen(name), &i) == 1)
		return &h->macros[i];
	return NULL;
}

const struct host_map *host_map_get(const struct host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nmaps; i++)
		if (ieq(h->maps[i].name, name))
			return &h->maps[i];
	return NULL;
}

const struct host_mailer *host_mailer_get(const struct host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nmailers; i++)
		if (ieq(h->mailers[i].name, name))
			return &h->mailers[i];
	return NULL;
}

const struct host_option *host_option_last(const struct host *h, const char *name)
{
	size_t i;

	for (i = h->noptions; i > 0; i--)
		if (strcmp(h->options[i - 1].name, name) == 0)
			return &h->options[i - 1];
	return NULL;
}

int host_atobool(const char *s)
{
	return s == NULL || *s == '\0' || strchr("tTyY", *s) != NULL;
}

int host_option_bool(const struct host *h, const char *name)
{
	const struct host_option *o = host_option_last(h, name);

	return o != NULL && host_atobool(o->value);
}

int host_has_privacy(const struct host *h, const char *word)
{
	size_t i;

	for (i = 0; i < h->nprivacy; i++) {
		if (ieq(h->privacy[i], word))
			return 1;
		/* goaway = every restriction but restrictmailq/restrictqrun (conf.h PRIV_GOAWAY) */
		if (ieq(h->privacy[i], "goaway") && !ieq(word, "restrictmailq") &&
		    !ieq(word, "restrictqrun") && !ieq(word, "public"))
			return 1;
	}
	return 0;
}


static char *dupz(const char *s)
{
	return s ? mem_dupz(s, strlen(s)) : NULL;
}

struct host_class *host_class_make(struct host *h, const char *name)
{
	unsigned long i;
	struct host_class *c;

	if (hset_get(&h->classidx, name, strlen(name), &i) == 1)
		return &h->classes[i];
	if (h->nclasses == h->capclasses) {
		size_t nc = h->capclasses ? 2 * h->capclasses : 16;
		struct host_class *nv = realloc(h->classes, nc * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		h->classes = nv;
		h->capclasses = nc;
	}
	c = &h->classes[h->nclasses];
	memset(c, 0, sizeof(*c));
	hset_init(&c->idx);
	c->name = dupz(name);
	if (c->name == NULL)
		return NULL;
	if (hset_set(&h->classidx, name, strlen(name), h->nclasses) < 0) {
		free(c->name);
		return NULL;
	}
	h->nclasses++;
	return c;
}

int host_class_add(struct host_class *c, const char *word, size_t len, enum host_src src,
		   const char *file, unsigned long line, const char *via)
{
	buf b = BUF_INIT;
	unsigned long old;
	struct host_word *w;
	int r;

	if (lower(&b, word, len) < 0)
		return -1;
	r = hset_put(&c->idx, b.s, b.len, c->n, &old);
	buf_free(&b);
	if (r <= 0)
		return r;
	if (c->n == c->cap) {
		size_t nc = c->cap ? 2 * c->cap : 8;
		struct host_word *nv = realloc(c->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		c->v = nv;
		c->cap = nc;
	}
	w = &c->v[c->n];
	memset(w, 0, sizeof(*w));
	w->word = mem_dupz(word, len);
	w->src = src;
	w->file = dupz(file);
	w->line = line;
	w->via = dupz(via);
	if (w->word == NULL || (file && w->file == NULL) || (via && w->via == NULL)) {
		free(w->word);
		free(w->file);
		free(w->via);
		return -1;
	}
	c->n++;
	return 1;
}

struct host_macro *host_macro_set(struct host *h, const char *name, const char *raw,
				  const char *file, unsigned long line)
{
	unsigned long i;
	struct host_macro *m;
	char *nraw, *nfile;

	nraw = dupz(raw);
	nfile = dupz(file);
	if (nraw == NULL || (file && nfile == NULL)) {
		free(nraw);
		free(nfile);
		return NULL;
	}
	if (hset_get(&h->macroidx, name, strlen(name), &i) == 1) {
		m = &h->macros[i];
		free(m->raw);
		free(m->file);
		m->raw = nraw;
		m->file = nfile;
		m->line = line;
		return m;
	}
	if (h->nmacros == h->capmacros) {
		size_t nc = h->capmacros ? 2 * h->capmacros : 16;
		struct host_macro *nv = realloc(h->macros, nc * sizeof(*nv));

		if (nv == NULL)
			goto fail;
		h->macros = nv;
		h->capmacros = nc;
	}
	m = &h->macros[h->nmacros];
	memset(m, 0, sizeof(*m));
	m->name = dupz(name);
	if (m->name == NULL)
		goto fail;
	if (hset_set(&h->macroidx, name, strlen(name), h->nmacros) < 0) {
		free(m->name);
		goto fail;
	}
	m->raw = nraw;
	m->file = nfile;
	m->line = line;
	h->nmacros++;
	return m;
fail:
	free(nraw);
	free(nfile);
	return NULL;
}

/* ---- JSON ---- */

static int js(buf *o, const char *s)
{
	return s ? json_str(o, s, strlen(s)) : buf_append_s(o, "null");
}

static int jkey(buf *o, int *first, const char *k)
{
	if (!*first && buf_append_c(o, ',') < 0)
		return -1;
	*first = 0;
	if (js(o, k) < 0)
		return -1;
	return buf_append_c(o, ':');
}

static int jwhere(buf *o, const char *file, unsigned long line)
{
	if (buf_append_s(o, "\"file\":") < 0 || js(o, file) < 0)
		return -1;
	return buf_printf(o, ",\"line\":%lu", line);
}

static const char *srcname(enum host_src s)
{
	switch (s) {
	case HOST_SRC_CF:
		return "cf";
	case HOST_SRC_FILE:
		return "file";
	case HOST_SRC_IMPLICIT:
		return "implicit";
	case HOST_SRC_COPY:
		return "copy";
	}
	return "?";
}

static int jclass(buf *o, const struct host_class *c)
{
	size_t i;

	if (buf_append_c(o, '[') < 0)
		return -1;
	for (i = 0; c && i < c->n; i++) {
		const struct host_word *w = &c->v[i];

		if ((i && buf_append_c(o, ',') < 0) || buf_append_s(o, "{\"word\":") < 0 ||
		    js(o, w->word) < 0 || buf_append_s(o, ",\"source\":") < 0 ||
		    js(o, srcname(w->src)) < 0 || buf_append_c(o, ',') < 0 ||
		    jwhere(o, w->file, w->line) < 0)
			return -1;
		if (w->via && (buf_append_s(o, ",\"via\":") < 0 || js(o, w->via) < 0))
			return -1;
		if (buf_append_c(o, '}') < 0)
			return -1;
	}
	return buf_append_c(o, ']');
}

static int jroute(buf *o, const struct host_route *r)
{
	if (r->raw == NULL)
		return buf_append_s(o, "null");
	if (buf_append_s(o, "{\"value\":") < 0 || js(o, r->raw) < 0 ||
	    buf_append_s(o, ",\"mailer\":") < 0 || js(o, r->mailer) < 0 ||
	    buf_append_s(o, ",\"host\":") < 0 || js(o, r->host) < 0 ||
	    buf_printf(o, ",\"bracket\":%s,", r->bracket ? "true" : "false") < 0 ||
	    jwhere(o, r->file, r->line) < 0)
		return -1;
	return buf_append_c(o, '}');
}

static int jstrv(buf *o, char *const *v, size_t n)
{
	size_t i;

	if (buf_append_c(o, '[') < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i && buf_append_c(o, ',') < 0) || js(o, v[i]) < 0)
			return -1;
	return buf_append_c(o, ']');
}

static const char *kindname(enum host_map_kind k)
{
	switch (k) {
	case HOST_MAP_DB:
		return "db";
	case HOST_MAP_TEXT:
		return "text";
	case HOST_MAP_INTERNAL:
		return "internal";
	case HOST_MAP_OTHER:
		break;
	}
	return "other";
}

int host_json(buf *o, const struct host *h)
{
	int first = 1;
	size_t i;
	const char *const key_classes[] = { "w", "VirtHost", "R", "M", "N", "E", "L", "G", "m" };

	if (buf_append_c(o, '{') < 0 || jkey(o, &first, "cf") < 0 || js(o, h->cf) < 0 ||
	    jkey(o, &first, "config_level") < 0 || buf_printf(o, "%d", h->config_level) < 0 ||
	    jkey(o, &first, "vendor") < 0 || js(o, h->vendor) < 0)
		return -1;
	if (jkey(o, &first, "identity") < 0 || buf_append_s(o, "{\"hostname\":") < 0 ||
	    js(o, h->hostname) < 0 || buf_append_s(o, ",\"nodename\":") < 0 ||
	    js(o, h->nodename) < 0 || buf_append_s(o, ",\"j\":") < 0 || js(o, h->j) < 0 ||
	    buf_append_s(o, ",\"w\":") < 0 || js(o, h->w) < 0 || buf_append_s(o, ",\"m\":") < 0 ||
	    js(o, h->m) < 0 || buf_append_c(o, '}') < 0)
		return -1;
	/* the classes a migration reads, always present (empty arrays when not set) */
	for (i = 0; i < sizeof(key_classes) / sizeof(key_classes[0]); i++) {
		char k[32];

		memcpy(k, "class_", 6);
		strcpy(k + 6, key_classes[i]);
		if (jkey(o, &first, k) < 0 || jclass(o, host_class_get(h, key_classes[i])) < 0)
			return -1;
	}
	if (jkey(o, &first, "smart_host") < 0 || jroute(o, &h->smart_host) < 0 ||
	    jkey(o, &first, "mail_hub") < 0 || jroute(o, &h->mail_hub) < 0 ||
	    jkey(o, &first, "local_relay") < 0 || jroute(o, &h->local_relay) < 0 ||
	    jkey(o, &first, "luser_relay") < 0 || jroute(o, &h->luser_relay) < 0 ||
	    jkey(o, &first, "masquerade_as") < 0 || js(o, h->masquerade_as) < 0)
		return -1;
	if (jkey(o, &first, "max_message_size") < 0 ||
	    buf_printf(o, "%ld", h->max_message_size) < 0 ||
	    jkey(o, &first, "forward_path") < 0 || js(o, h->forward_path) < 0 ||
	    jkey(o, &first, "privacy_options") < 0 || jstrv(o, h->privacy, h->nprivacy) < 0 ||
	    jkey(o, &first, "blank_sub") < 0 || json_str(o, &h->blanksub, 1) < 0 ||
	    jkey(o, &first, "dont_probe_interfaces") < 0 ||
	    buf_printf(o, "%d", h->dont_probe_interfaces) < 0 ||
	    jkey(o, &first, "default_user") < 0 || js(o, h->default_user) < 0)
		return -1;
	if (jkey(o, &first, "alias_files") < 0 || buf_append_c(o, '[') < 0)
		return -1;
	for (i = 0; i < h->naliasfiles; i++) {
		const struct host_aliasfile *a = &h->aliasfiles[i];

		if ((i && buf_append_c(o, ',') < 0) || buf_append_s(o, "{\"class\":") < 0 ||
		    js(o, a->mclass) < 0 || buf_append_s(o, ",\"spec\":") < 0 || js(o, a->spec) < 0 ||
		    buf_append_c(o, ',') < 0 || jwhere(o, a->file, a->line) < 0 ||
		    buf_append_c(o, '}') < 0)
			return -1;
	}
	if (buf_append_c(o, ']') < 0)
		return -1;
	if (jkey(o, &first, "features") < 0 || buf_append_c(o, '{') < 0)
		return -1;
	for (i = 0; i < HF_COUNT; i++)
		if ((i && buf_append_c(o, ',') < 0) || js(o, feature_names[i]) < 0 ||
		    buf_printf(o, ":%s", h->feature[i] ? "true" : "false") < 0)
			return -1;
	if (buf_append_c(o, '}') < 0 || jkey(o, &first, "m4_files") < 0 ||
	    jstrv(o, h->m4files, h->nm4files) < 0)
		return -1;
	if (jkey(o, &first, "maps") < 0 || buf_append_c(o, '[') < 0)
		return -1;
	for (i = 0; i < h->nmaps; i++) {
		const struct host_map *m = &h->maps[i];

		if ((i && buf_append_c(o, ',') < 0) || buf_append_s(o, "{\"name\":") < 0 ||
		    js(o, m->name) < 0 || buf_append_s(o, ",\"class\":") < 0 || js(o, m->mclass) < 0 ||
		    buf_append_s(o, ",\"kind\":") < 0 || js(o, kindname(m->kind)) < 0 ||
		    buf_append_s(o, ",\"flags\":") < 0 || jstrv(o, m->flags, m->nflags) < 0 ||
		    buf_printf(o, ",\"optional\":%s,\"nofold\":%s,\"path\":",
			       m->optional ? "true" : "false", m->nofold ? "true" : "false") < 0 ||
		    js(o, m->path) < 0 || buf_append_s(o, ",\"source\":") < 0 || js(o, m->source) < 0 ||
		    buf_append_s(o, ",\"rest\":") < 0 || js(o, m->rest) < 0 ||
		    buf_append_c(o, ',') < 0 || jwhere(o, m->file, m->line) < 0 ||
		    buf_append_c(o, '}') < 0)
			return -1;
	}
	if (buf_append_c(o, ']') < 0 || jkey(o, &first, "mailers") < 0 || buf_append_c(o, '[') < 0)
		return -1;
	for (i = 0; i < h->nmailers; i++) {
		const struct host_mailer *m = &h->mailers[i];

		if ((i && buf_append_c(o, ',') < 0) || buf_append_s(o, "{\"name\":") < 0 ||
		    js(o, m->name) < 0 || buf_append_s(o, ",\"path\":") < 0 || js(o, m->path) < 0 ||
		    buf_append_s(o, ",\"flags\":") < 0 || js(o, m->flags) < 0 ||
		    buf_append_s(o, ",\"argv\":") < 0 || js(o, m->argv) < 0 ||
		    buf_printf(o, ",\"max_size\":%ld,", m->maxsize) < 0 ||
		    jwhere(o, m->file, m->line) < 0 || buf_append_c(o, '}') < 0)
			return -1;
	}
	if (buf_append_c(o, ']') < 0 || jkey(o, &first, "macros") < 0 || buf_append_c(o, '[') < 0)
		return -1;
	for (i = 0; i < h->nmacros; i++) {
		const struct host_macro *m = &h->macros[i];

		if ((i && buf_append_c(o, ',') < 0) || buf_append_s(o, "{\"name\":") < 0 ||
		    js(o, m->name) < 0 || buf_append_s(o, ",\"raw\":") < 0 || js(o, m->raw) < 0 ||
		    buf_append_s(o, ",\"value\":") < 0 || js(o, m->value) < 0 ||
		    buf_append_c(o, ',') < 0 || jwhere(o, m->file, m->line) < 0 ||
		    buf_append_c(o, '}') < 0)
			return -1;
	}
	if (buf_append_c(o, ']') < 0 || jkey(o, &first, "classes") < 0 || buf_append_c(o, '{') < 0)
		return -1;
	for (i = 0; i < h->nclasses; i++)
		if ((i && buf_append_c(o, ',') < 0) || js(o, h->classes[i].name) < 0 ||
		    buf_append_c(o, ':') < 0 || jclass(o, &h->classes[i]) < 0)
			return -1;
	if (buf_append_c(o, '}') < 0 || jkey(o, &first, "options") < 0 || buf_append_c(o, '[') < 0)
		return -1;
	for (i = 0; i < h->noptions; i++) {
		const struct host_option *p = &h->options[i];

		if ((i && buf_append_c(o, ',') < 0) || buf_append_s(o, "{\"name\":") < 0 ||
		    js(o, p->name) < 0 || buf_append_s(o, ",\"sub\":") < 0 || js(o, p->sub) < 0 ||
		    buf_append_s(o, ",\"value\":") < 0 || js(o, p->value) < 0 ||
		    buf_append_c(o, ',') < 0 || jwhere(o, p->file, p->line) < 0 ||
		    buf_append_c(o, '}') < 0)
			return -1;
	}
	if (buf_append_c(o, ']') < 0 || jkey(o, &first, "rulesets") < 0 ||
	    jstrv(o, h->rulesets, h->nrulesets) < 0 || jkey(o, &first, "rules") < 0 ||
	    buf_printf(o, "%zu", h->nrules) < 0)
		return -1;
	return buf_append_c(o, '}');
}

/* ---- text ---- */

static int tclass(buf *o, const struct host *h, const char *label, const char *name)
{
	const struct host_class *c = host_class_get(h, name);
	size_t i;

	if (buf_printf(o, "%-22s", label) < 0)
		return -1;
	if (c == NULL || c->n == 0)
		return buf_append_s(o, "(none)\n");
	for (i = 0; i < c->n; i++)
		if (buf_printf(o, "%s%s", i ? " " : "", c->v[i].word) < 0)
			return -1;
	return buf_append_c(o, '\n');
}

static int troute(buf *o, const char *label, const struct host_route *r)
{
	if (r->raw == NULL)
		return buf_printf(o, "%-22s(none)\n", label);
	return buf_printf(o, "%-22s%s (mailer %s, host %s%s)\n", label, r->raw,
			  r->mailer ? r->mailer : "-", r->host ? r->host : "-",
			  r->bracket ? ", no MX" : "");
}

static const char *nz(const char *s)
{
	return (s && *s) ? s : "(unknown)";
}

int host_text(buf *o, const struct host *h)
{
	size_t i;
	int n = 0;

	if (buf_printf(o, "%-22s%s (level %d%s%s)\n", "cf", h->cf ? h->cf : "-", h->config_level,
		       h->vendor ? ", vendor " : "", h->vendor ? h->vendor : "") < 0 ||
	    buf_printf(o, "%-22s%s\n%-22s%s\n%-22s%s\n", "$j", nz(h->j), "$w", nz(h->w), "$m",
		       nz(h->m)) < 0 ||
	    tclass(o, h, "class w (local)", "w") < 0 ||
	    tclass(o, h, "class {VirtHost}", "VirtHost") < 0 ||
	    tclass(o, h, "class R (relay)", "R") < 0 ||
	    tclass(o, h, "class M (masquerade)", "M") < 0 ||
	    tclass(o, h, "class N (not masq.)", "N") < 0 ||
	    tclass(o, h, "class E (exposed)", "E") < 0 ||
	    tclass(o, h, "class L (local users)", "L") < 0 ||
	    tclass(o, h, "class G (generics)", "G") < 0 ||
	    troute(o, "smart host ($S)", &h->smart_host) < 0 ||
	    troute(o, "mail hub ($H)", &h->mail_hub) < 0 ||
	    troute(o, "local relay ($R)", &h->local_relay) < 0 ||
	    troute(o, "luser relay ($L)", &h->luser_relay) < 0 ||
	    buf_printf(o, "%-22s%s\n", "masquerade as ($M)",
		       h->masquerade_as ? h->masquerade_as : "(none)") < 0 ||
	    buf_printf(o, "%-22s%ld%s\n", "MaxMessageSize", h->max_message_size,
		       h->max_message_size ? "" : " (unlimited)") < 0 ||
	    buf_printf(o, "%-22s%s\n", "ForwardPath",
		       h->forward_path ? h->forward_path : "(default) $z/.forward.$w:$z/.forward") < 0)
		return -1;
	if (buf_printf(o, "%-22s", "PrivacyOptions") < 0)
		return -1;
	for (i = 0; i < h->nprivacy; i++)
		if (buf_printf(o, "%s%s", i ? "," : "", h->privacy[i]) < 0)
			return -1;
	if (buf_printf(o, "%s\n%-22s", h->nprivacy ? "" : "(none)", "alias files") < 0)
		return -1;
	for (i = 0; i < h->naliasfiles; i++)
		if (buf_printf(o, "%s%s:%s", i ? " " : "", h->aliasfiles[i].mclass,
			       h->aliasfiles[i].spec) < 0)
			return -1;
	if (buf_printf(o, "%s\n", h->naliasfiles ? "" : "(none)") < 0)
		return -1;
	for (i = 0; i < h->nmaps; i++)
		if (buf_printf(o, "%-22s%s %s%s%s%s\n", i ? "" : "maps", h->maps[i].name,
			       h->maps[i].mclass, h->maps[i].path ? " " : "",
			       h->maps[i].path ? h->maps[i].path : "",
			       h->maps[i].optional ? " (optional)" : "") < 0)
			return -1;
	if (buf_printf(o, "%-22s", "features") < 0)
		return -1;
	for (i = 0; i < HF_COUNT; i++)
		if (h->feature[i] && buf_printf(o, "%s%s", n++ ? " " : "", feature_names[i]) < 0)
			return -1;
	return buf_printf(o, "%s\n", n ? "" : "(none)");
}
