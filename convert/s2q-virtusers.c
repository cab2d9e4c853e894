/* s2q-virtusers - sendmail's virtusertable -> qmail virtual domains, with sendmail's meaning */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/emit/vdomains.h"
#include "lib/model/alias.h"
#include "lib/model/host.h"
#include "lib/model/virtuser.h"
#include "lib/parse/aliases.h"
#include "lib/parse/maptext.h"
#include "lib/parse/passwd.h"
#include "lib/parse/sendmailcf.h"
#include "lib/parse/virtuser.h"
#include "lib/util/aw.h"
#include "lib/util/buf.h"
#include "lib/util/diag.h"
#include "lib/util/hset.h"
#include "lib/util/lline.h"
#include "lib/util/sroot.h"
#include "prog.h"

static const char usage[] =
	"[-c] [--json] [--root SENDMAIL_ROOT [-C CF] [--hostname FQDN] [--nodename NAME]]\n"
	"        [-w DOMAIN]... [--w-file FILE] [--virthost DOMAIN]... [--virthost-file FILE]\n"
	"        [--entire-domain] [-f] [--me DOMAIN] [--defaultdomain DOMAIN] [--passwd FILE]\n"
	"        [--aliases FILE]... [--alias-user NAME] [--alias-uid N] [--alias-gid N]\n"
	"        [--alias-home DIR] [--qmail-home DIR] [--cdb PATH] [--domains-cdb PATH]\n"
	"        [--fastforward PATH] [--reuse DIR]"
	" -o OUTROOT [VIRTUSERTABLE]";

struct strv {
	const char **v;
	size_t n;
};

/* the conversion in progress: its staged files are removed before a fatal exit */
static struct vdom *live;

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void die(int code, const char *fmt, ...)
{
	int e = errno;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vdom_free(live);	/* an uncommitted stage is removed: nothing under OUTROOT changes */
	live = NULL;
	errno = e;
	prog_fatal_sys(code, "%s", msg);
}

static void oom(void)
{
	errno = ENOMEM;
	die(S2Q_EXIT_TEMP, "out of memory");
}

static void push(struct strv *s, const char *x)
{
	const char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

	if (nv == NULL)
		oom();
	s->v = nv;
	s->v[s->n++] = x;
}

/* a domain name given on the command line: no blanks, no ':' or '@' */
static void need_domain(const char *s)
{
	if (s[0] == '\0' || strpbrk(s, " \t\n:@/") != NULL)
		prog_usage(usage);
}

static int input_code(int e)
{
	if (e == EXDEV || e == EINVAL || e == ENOENT || e == ENOTDIR || e == ELOOP ||
	    e == ENAMETOOLONG || e == EISDIR)
		return S2Q_EXIT_PERM;
	return S2Q_EXIT_TEMP;
}

/* classfile - the first word of every line (not '#' lines) of a domain list file */
static void classfile(struct vu_domains *dom, int w, const char *path)
{
	lline r;
	buf line = BUF_INIT;
	int n;

	if (lline_open(&r, path, 0) < 0)
		prog_fatal_sys(input_code(errno), "unable to read %s", path);
	while ((n = lline_next(&r, &line)) > 0) {
		size_t a = 0, b;

		while (a < line.len && (line.s[a] == ' ' || line.s[a] == '\t'))
			a++;
		if (a == line.len || line.s[a] == '#')
			continue;
		for (b = a; b < line.len && line.s[b] != ' ' && line.s[b] != '\t' && line.s[b] != '\r';
		     b++)
			;
		if (vu_domains_add(dom, w, line.s + a, b - a) < 0)
			oom();
	}
	if (n < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to read %s", path);
	lline_close(&r);
	buf_free(&line);
}

/* add_class - every member of a cf class */
static void add_class(struct vu_domains *dom, const struct host *h, const char *name, int w)
{
	const struct host_class *c = host_class_get(h, name);
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		if (vu_domains_add(dom, w, c->v[i].word, strlen(c->v[i].word)) < 0)
			oom();
}

/* lowered - s lower-cased into a buf */
static void lowered(buf *b, const char *s, size_t n)
{
	size_t i;

	if (buf_copy(b, s, n) < 0 || buf_cstr(b) == NULL)
		oom();
	for (i = 0; i < n; i++)
		if (b->s[i] >= 'A' && b->s[i] <= 'Z')
			b->s[i] = (char)(b->s[i] - 'A' + 'a');
}

/* the table again, for vdom_finish */
/* has_code - a record from index from on has code */
static int has_code(const struct diag_sink *d, size_t from, const char *code)
{
	size_t i;

	for (i = from; i < d->n; i++)
		if (strcmp(d->v[i].code, code) == 0)
			return 1;
	return 0;
}

static int iter(void *ctx, size_t i, const char **key, size_t *klen, const char **val,
		size_t *vlen, unsigned long *line)
{
	return vtab_at(ctx, i, key, klen, val, vlen, line);
}

int main(int argc, char **argv)
{
	const char *root = NULL, *cfarg = "/etc/mail/sendmail.cf", *outroot = NULL, *reuse = NULL;
	const char *hostname = NULL, *nodename = NULL, *table = NULL, *passwd = NULL;
	const char *me = NULL, *defaultdomain = NULL, *qmail_home = "/var/qmail";
	int me_auto = 0;	/* me is $j, and localhost is local: the fallback for V105 */
	int fd2 = -1;
	struct diag_mark dm;
	const char *alias_home = NULL;
	static struct strv wdoms, vdoms, wfiles, vfiles, afiles;
	struct vdom_opts o;
	struct vu_domains dom;
	struct host h;
	struct diag_sink d, ad;
	struct hset logins, anames;
	struct vtab tab;
	struct maptext_rec rec;
	struct vdom *v = NULL;
	buf cf = BUF_INIT, out = BUF_INIT, ah = BUF_INIT, fw = BUF_INIT, bs = BUF_INIT;
	buf tname = BUF_INIT, lb = BUF_INIT;
	int check = 0, json = 0, nofold = 0, entire = 0, rootfd = -1, outfd = -1, fd, r, i;
	int have_host = 0, rc = S2Q_EXIT_OK;
	unsigned long alias_uid = 0, alias_gid = 0;
	size_t k;

	prog_name = "s2q-virtusers";
	memset(&o, 0, sizeof(o));
	o.alias_user = "alias";
	o.cdb_path = "/etc/virtusers.cdb";
	o.domains_cdb = "/etc/virtusers-domains.cdb";
	o.fastforward = "/usr/bin/fastforward";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *x = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--") == 0) {
			if (i + 2 != argc || table)
				prog_usage(usage);
			table = argv[++i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (table)
				prog_usage(usage);
			table = a;
			continue;
		}
		if (strcmp(a, "-c") == 0) {
			check = 1;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strcmp(a, "-f") == 0) {
			nofold = 1;
			continue;
		}
		if (strcmp(a, "--entire-domain") == 0) {
			entire = 1;
			continue;
		}
		if (x == NULL)
			prog_usage(usage);
		i++;
		if (strcmp(a, "-o") == 0)
			outroot = x;
		else if (strcmp(a, "--reuse") == 0)
			reuse = x;
		else if (strcmp(a, "--root") == 0)
			root = x;
		else if (strcmp(a, "-C") == 0)
			cfarg = x;
		else if (strcmp(a, "--hostname") == 0)
			hostname = x;
		else if (strcmp(a, "--nodename") == 0)
			nodename = x;
		else if (strcmp(a, "-w") == 0)
			need_domain(x), push(&wdoms, x);
		else if (strcmp(a, "--w-file") == 0)
			push(&wfiles, x);
		else if (strcmp(a, "--virthost") == 0)
			need_domain(x), push(&vdoms, x);
		else if (strcmp(a, "--virthost-file") == 0)
			push(&vfiles, x);
		else if (strcmp(a, "--me") == 0)
			need_domain(x), me = x;
		else if (strcmp(a, "--defaultdomain") == 0)
			need_domain(x), defaultdomain = x;
		else if (strcmp(a, "--passwd") == 0)
			passwd = x;
		else if (strcmp(a, "--aliases") == 0)
			push(&afiles, x);
		else if (strcmp(a, "--alias-user") == 0)
			o.alias_user = x;
		else if (strcmp(a, "--alias-uid") == 0)
			alias_uid = prog_id_arg(usage, x);
		else if (strcmp(a, "--alias-gid") == 0)
			alias_gid = prog_id_arg(usage, x);
		else if (strcmp(a, "--alias-home") == 0)
			alias_home = x;
		else if (strcmp(a, "--qmail-home") == 0)
			qmail_home = x;
		else if (strcmp(a, "--cdb") == 0)
			o.cdb_path = x;
		else if (strcmp(a, "--domains-cdb") == 0)
			o.domains_cdb = x;
		else if (strcmp(a, "--fastforward") == 0)
			o.fastforward = x;
		else
			prog_usage(usage);
	}
	if ((outroot == NULL && !check) || (table == NULL && root == NULL) ||
	    o.alias_user[0] == '\0' || strpbrk(o.alias_user, ":\n") != NULL ||
	    (hostname && (hostname[0] == '\0' || strpbrk(hostname, "/ \t\n") != NULL)))
		prog_usage(usage);
	prog_abs_arg(usage, qmail_home);
	prog_abs_arg(usage, o.cdb_path);
	prog_abs_arg(usage, o.domains_cdb);
	if (strcmp(o.cdb_path, o.domains_cdb) == 0)
		prog_usage(usage);
	if (o.fastforward[0] != '/')
		prog_usage(usage);
	if (alias_home == NULL) {
		if (buf_printf(&ah, "%s/alias", qmail_home) < 0 || buf_cstr(&ah) == NULL)
			oom();
		alias_home = ah.s;
	}
	prog_abs_arg(usage, alias_home);
	if (buf_printf(&fw, "%s/bin/forward", qmail_home) < 0 || buf_cstr(&fw) == NULL ||
	    buf_printf(&bs, "%s/bin/bouncesaying", qmail_home) < 0 || buf_cstr(&bs) == NULL)
		oom();

	diag_init(&d);
	vu_domains_init(&dom);
	host_init(&h);
	hset_init(&logins);
	hset_init(&anames);
	fd = -1;

	/* the host model: class w, {VirtHost}, the FEATUREs, $j, $m, the virtuser map */
	if (root != NULL) {
		struct cf_opts co;
		const struct host_map *m;

		if ((cfarg[0] != '/' && buf_append_c(&cf, '/') < 0) || buf_append_s(&cf, cfarg) < 0 ||
		    buf_cstr(&cf) == NULL)
			oom();
		rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			prog_fatal_sys(input_code(errno), "unable to open the sendmail root %s", root);
		memset(&co, 0, sizeof(co));
		co.rootfd = rootfd;
		co.hostname = hostname;
		co.nodename = nodename;
		co.locals = wdoms.v;
		co.nlocals = wdoms.n;
		if (cf_load(&h, cf.s, &co, &d) < 0) {
			int e = errno;

			prog_print_diags(&d);
			if (e == ENOMEM)
				oom();
			fprintf(stderr, "%s: fatal: unable to read %s in %s: %s\n", prog_name, cf.s,
				root, sroot_errstr(e));
			return input_code(e);
		}
		have_host = 1;
		add_class(&dom, &h, "w", 1);
		add_class(&dom, &h, "VirtHost", 0);
		if (h.feature[HF_VIRTUSER_ENTIRE_DOMAIN])
			entire = 1;
		if (me == NULL && h.j && h.j[0]) {
			me = h.j;
			me_auto = host_class_has(&h, "w", "localhost", 9);
		}
		if (defaultdomain == NULL && h.m && h.m[0])
			defaultdomain = h.m;
		o.luser_relay = h.luser_relay.raw != NULL && h.luser_relay.raw[0] != '\0';
		o.preserve_plus = h.feature[HF_PRESERVE_LOCAL_PLUS_DETAIL];
		o.relay_hosts_only = h.feature[HF_RELAY_HOSTS_ONLY];
		m = host_map_get(&h, "virtuser");
		if (m == NULL || !h.feature[HF_VIRTUSERTABLE]) {
			if (diag_add(&d, DIAG_ERROR, "S2Q-V017", h.cf, m ? m->line : 0,
				     "%s: sendmail never consults a virtusertable here (no "
				     "FEATURE(virtusertable): %s): nothing to convert",
				     m ? "the virtuser map is declared but no rule looks it up"
				       : "no Kvirtuser line",
				     m ? "unused map" : "the cf has no virtuser map") < 0)
				oom();
		} else {
			if (m->nofold) {
				nofold = 1;
				if (diag_add(&d, DIAG_WARN, "S2Q-V015", m->file, m->line,
					     "the virtuser map is declared with -f: sendmail matches its "
					     "keys case-sensitively; qmail and fastforward ignore case") < 0)
					oom();
				nofold = 2;
			}
			if (table == NULL) {
				char *shown = NULL;

				if (m->kind == HOST_MAP_OTHER) {
					if (diag_add(&d, DIAG_ERROR, "S2Q-V019", m->file, m->line,
						     "the virtuser map is of class %s: s2q reads only "
						     "makemap text sources (hash, btree, text)",
						     m->mclass) < 0)
						oom();
				} else {
					r = cf_map_source(&h, m, rootfd, &fd, &shown, &d);
					if (r < 0)
						oom();
					if (r == 1 && (buf_append_s(&tname, shown) < 0 ||
						       buf_cstr(&tname) == NULL))
						oom();
				}
				free(shown);
			}
		}
	}
	for (k = 0; k < wdoms.n; k++)
		if (vu_domains_add(&dom, 1, wdoms.v[k], strlen(wdoms.v[k])) < 0)
			oom();
	for (k = 0; k < vdoms.n; k++)
		if (vu_domains_add(&dom, 0, vdoms.v[k], strlen(vdoms.v[k])) < 0)
			oom();
	for (k = 0; k < wfiles.n; k++)
		classfile(&dom, 1, wfiles.v[k]);
	for (k = 0; k < vfiles.n; k++)
		classfile(&dom, 0, vfiles.v[k]);
	dom.entire_domain = entire;
	if (!have_host && dom.w.n == 0 && dom.virthost.n == 0) {
		dom.any = 1;
		if (diag_add(&d, DIAG_WARN, "S2Q-V016", NULL, 0,
			     "no sendmail.cf (--root) and no class w or {VirtHost} domains (-w, "
			     "--virthost): every domain of the table is taken as a {VirtHost} "
			     "domain (not local)") < 0)
			oom();
	}
	if (me == NULL)
		me = "localhost";
	if (nofold == 1 && diag_add(&d, DIAG_WARN, "S2Q-V015", NULL, 0,
			       "-f: the virtuser map keeps the case of its keys: sendmail matched them "
			       "case-sensitively; qmail and fastforward ignore case") < 0)
		oom();

	/* the old host's logins (alias user ids, names the prefixes must avoid) */
	if (passwd != NULL) {
		struct passwd_parser pp;
		struct passwd_ent pe;

		if (passwd_open(&pp, passwd, passwd, &d) < 0)
			prog_fatal_sys(input_code(errno), "unable to read %s", passwd);
		while ((r = passwd_next(&pp, &pe)) > 0) {
			lowered(&lb, pe.name.s, pe.name.len);
			if (hset_put(&logins, lb.s, lb.len, 1, NULL) < 0)
				oom();
			if (pe.name.len == strlen(o.alias_user) &&
			    memcmp(pe.name.s, o.alias_user, pe.name.len) == 0 && alias_uid == 0 &&
			    alias_gid == 0) {
				alias_uid = pe.uid;
				alias_gid = pe.gid;
			}
		}
		if (r < 0)
			prog_fatal_sys(S2Q_EXIT_TEMP, "unable to read %s", passwd);
		passwd_close(&pp);
		o.logins = &logins;
	}
	/* the alias names (their problems are s2q-aliases' to report) */
	if (afiles.n) {
		struct alias_table t;
		struct aliases_opts ao;
		const struct host_class *wc = have_host ? host_class_get(&h, "w") : NULL;
		struct strv locals = { NULL, 0 };

		if (wc)
			for (k = 0; k < wc->n; k++)
				push(&locals, wc->v[k].word);
		for (k = 0; k < wdoms.n; k++)
			push(&locals, wdoms.v[k]);
		alias_table_init(&t);
		diag_init(&ad);
		memset(&ao, 0, sizeof(ao));
		ao.local_domains = locals.v;
		ao.nlocal_domains = locals.n;
		ao.blanksub = '.';
		ao.names_only = 1;	/* only which names are live matters here: */
		ao.names = &anames;	/* put straight into the set, no table entries */
		for (k = 0; k < afiles.n; k++)
			if (aliases_read(&t, afiles.v[k], afiles.v[k], &ao, &ad) < 0)
				prog_fatal_sys(errno == ENOMEM ? S2Q_EXIT_TEMP : input_code(errno),
					       "unable to read %s", afiles.v[k]);
		alias_table_free(&t);
		diag_free(&ad);
		free(locals.v);
		o.aliases = &anames;
	}
	/* a name "x-y" claims the prefix "x" too: collect the first parts, then add them */
	{
		struct hset *sets[2] = { &logins, &anames };
		buf segs = BUF_INIT;
		size_t s, slot, at;

		for (s = 0; s < 2; s++) {
			buf_reset(&segs);
			for (slot = 0; slot < sets[s]->nslots; slot++) {
				const struct hset_slot *sl = &sets[s]->slots[slot];
				const char *nm, *dash;
				size_t nl;

				if (sl->off == 0)
					continue;
				nm = hset_slot_key(sets[s], sl, &nl);
				dash = memchr(nm, '-', nl);
				if (dash && (buf_append(&segs, nm, (size_t)(dash - nm)) < 0 ||
					     buf_append_c(&segs, '\0') < 0))
					oom();
			}
			for (at = 0; at < segs.len; at += strlen(segs.s + at) + 1)
				if (hset_put(sets[s], segs.s + at, strlen(segs.s + at), 2, NULL) < 0)
					oom();
		}
		buf_free(&segs);
	}

	/* the table: the file named, or the cf's virtuser map source */
	if (table != NULL) {
		fd = open(table, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			prog_fatal_sys(input_code(errno), "unable to open %s", table);
		if (buf_copy(&tname, table, strlen(table)) < 0 || buf_cstr(&tname) == NULL)
			oom();
	}
	if (!check) {
		outfd = open(outroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (outfd < 0)
			prog_fatal_sys(input_code(errno), "unable to open the output root %s", outroot);
		if (reuse) {
			o.reusefd = prog_reuse_dir(reuse);
			o.reuse = o.reusefd >= 0;
		}
	}
	memset(&tab, 0, sizeof(tab));
	o.qmailhome = qmail_home;
	o.alias_uid = alias_uid;
	o.alias_gid = alias_gid;
	o.alias_home = alias_home;
	o.forward = fw.s;
	o.bouncesaying = bs.s;
	o.me = me;
	o.defaultdomain = defaultdomain;
	o.dom = &dom;
	o.nofold = nofold;
	o.file = tname.s ? tname.s : "virtusertable";
	o.target_parse = vu_target_parse;
	/*
	 * $j with virtusertable entries of its own cannot take the local names
	 * (S2Q-V105): when me was not given, the pass is made again with
	 * localhost, which sendmail's cf always puts into class w
	 */
	if (me_auto && fd >= 0 && (fd2 = dup(fd)) < 0)
		prog_fatal_sys(S2Q_EXIT_TEMP, "unable to read %s", o.file);
	diag_mark(&d, &dm);
again:
	r = vdom_begin(&v, &o, outfd, &d);
	live = v;
	if (r < 0)
		die(S2Q_EXIT_TEMP, "unable to stage files under %s%s%s", outroot,
			       v && vdom_where(v)[0] ? " at " : "", v ? vdom_where(v) : "");
	if (fd >= 0) {
		if (vtab_open(&tab, fd, o.file, nofold ? MAPTEXT_NOFOLD : 0, &d) < 0)
			die(input_code(errno), "unable to read %s", o.file);
		while ((r = vtab_next(&tab, &rec)) > 0)
			if (vdom_add(v, rec.key, rec.klen, rec.val, rec.vlen, rec.line) < 0)
				break;
		if (r < 0)
			die(S2Q_EXIT_TEMP, "unable to read %s", o.file);
		if (r > 0)
			die(S2Q_EXIT_TEMP, "unable to convert %s%s%s", o.file,
				       vdom_where(v)[0] ? ": unable to write " : "", vdom_where(v));
		if (vdom_finish(v, iter, vtab_get, &tab) < 0)
			die(S2Q_EXIT_TEMP, "unable to convert %s%s%s", o.file,
				       vdom_where(v)[0] ? ": unable to write " : "", vdom_where(v));
		if (fd2 >= 0 && has_code(&d, dm.n, "S2Q-V105")) {
			const char *j = o.me;

			live = NULL;
			vdom_free(v);
			vtab_close(&tab);
			memset(&tab, 0, sizeof(tab));
			diag_undo(&d, &dm);
			if (lseek(fd2, 0, SEEK_SET) < 0)
				prog_fatal_sys(S2Q_EXIT_TEMP, "unable to read %s", o.file);
			fd = fd2;
			fd2 = -1;
			o.me = "localhost";
			if (diag_add(&d, DIAG_NOTE, "S2Q-V109", o.file, 0,
				     "%s ($j) has virtusertable entries of its own (a virtual domain in "
				     "qmail): local names in values and the fall-through of local "
				     "domains are forwarded to NAME@localhost instead (local in "
				     "qmail as in sendmail's class w); --me chooses another", j) < 0)
				oom();
			goto again;
		}
	} else if (d.nerr == 0 && diag_add(&d, DIAG_ERROR, "S2Q-V017", h.cf, 0,
					   "no virtusertable to read") < 0) {
		oom();
	}
	if (d.oom)
		oom();
	prog_print_diags(&d);
	if (json) {
		const struct vdom_stats *st = vdom_stats(v);
		const char *nl;

		if (buf_printf(&out, "{\"program\":\"s2q-virtusers\",\"entries\":%lu,\"dead\":%lu,"
			       "\"domains\":%lu,\"records\":%lu,\"qmail_files\":%lu,"
			       "\"assign_lines\":%lu,\"not_local\":[", st->entries, st->dead,
			       st->domains, st->records, st->qmail_files, st->assign_lines) < 0)
			oom();
		for (k = 0; (nl = vdom_not_local(v, k)) != NULL; k++)
			if ((k && buf_append_c(&out, ',') < 0) || json_str(&out, nl, strlen(nl)) < 0)
				oom();
		if (buf_printf(&out, "],\"errors\":%zu,\"warnings\":%zu,\"notes\":%zu,"
			       "\"written\":%s,\"diagnostics\":", d.nerr, d.nwarn, d.nnote,
			       (d.nerr || check) ? "false" : "true") < 0 ||
		    prog_json_diags(&out, &d) < 0 || buf_append_s(&out, "}\n") < 0)
			oom();
	}
	if (d.nerr) {
		fprintf(stderr, "%s: fatal: %zu error%s; nothing written\n", prog_name, d.nerr,
			d.nerr == 1 ? "" : "s");
		rc = S2Q_EXIT_PERM;
	} else if (!check && vdom_commit(v) < 0) {
		die(S2Q_EXIT_TEMP, "unable to write under %s (nothing was replaced)%s%s",
			       outroot, vdom_where(v)[0] ? " at " : "", vdom_where(v));
	}
	if (json)
		prog_write_stdout(&out);
	live = NULL;
	vdom_free(v);
	vtab_close(&tab);
	vu_domains_free(&dom);
	host_free(&h);
	hset_free(&logins);
	hset_free(&anames);
	diag_free(&d);
	buf_free(&cf);
	buf_free(&out);
	buf_free(&ah);
	buf_free(&fw);
	buf_free(&bs);
	buf_free(&tname);
	buf_free(&lb);
	free(wdoms.v);
	free(vdoms.v);
	free(wfiles.v);
	free(vfiles.v);
	free(afiles.v);
	if (rootfd >= 0)
		close(rootfd);
	if (outfd >= 0)
		close(outfd);
	if (fd2 >= 0)
		close(fd2);
	return rc;
}
